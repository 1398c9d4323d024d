import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { launchChromium, openStage, serveShopPage, unacked, until, visitorOf } from '../test-support/index.js';
import type { TrackerStage } from '../test-support/index.js';

/** The page's global, as the snippet defines it. */
declare const tw: (command: string, ...args: unknown[]) => void;

let stage: TrackerStage;
beforeAll(async () => {
  stage = await openStage();
});
afterAll(async () => {
  await stage?.close();
});
afterEach(() => {
  stage.harness.acking = true;
  stage.harness.socketsAllowed = true;
  stage.harness.reject = () => undefined;
  stage.harness.failFrames = undefined;
  stage.harness.failFramesLeft = Infinity;
  stage.harness.holdFailures = false;
  stage.harness.releaseFailures();
});

async function visitor(page: Page): Promise<string> {
  let id: string | null = null;
  await until('tw.js has stored a visitor id', async () => (id = await visitorOf(page)) !== null);
  return id!;
}

/** A shop page whose timers run only as the test advances them. */
async function pausedPage(path: string, before?: string): Promise<Page> {
  const page = await stage.newPage();
  await page.clock.install();
  await page.clock.pauseAt(Date.now() + 60_000);
  await page.goto(serveShopPage(stage.harness, path, { before }));
  return page;
}

/** The engine fails the next socket frame as a whole, as when its store is unreachable, and holds its error. */
function failNextFrame(): void {
  Object.assign(stage.harness, { failFrames: 'TW_STORE_UNAVAILABLE', failFramesLeft: 1, holdFailures: true });
}

/**
 * Sends the held error, then a pop-in down the same socket: the page reads them in order, so once
 * it asks for the pop-in's renderer it has read the error. Returns the page's clock then.
 */
async function readHeldError(page: Page, id: string): Promise<number> {
  const { harness } = stage;
  let renderer = false;
  page.on('request', (request) => void (new URL(request.url()).pathname === '/tw-ui.js' && (renderer = true)));
  harness.releaseFailures();
  harness.pushPopin(id, { id: 'trg-after-error', s: 'after-error', tpl: 'toast', title: 'Read after the error', body: '' });
  await until('the page read the error', () => renderer);
  return page.evaluate(() => Date.now());
}

function names(events: Array<{ p?: Record<string, unknown> }>): unknown[] {
  return events.map((event) => event.p?.name);
}

describe('delivery', () => {
  test('events recorded while the engine is down arrive once it is back: none lost, none doubled', async () => {
    const { harness } = stage;
    const page = await stage.newPage();
    await page.goto(serveShopPage(harness, '/outage'));
    const id = await visitor(page);
    await until('the page view is acked', async () => harness.eventsOf(id).length === 1 && (await unacked(page)).length === 0);

    await harness.stop();
    await page.evaluate(() => {
      for (let n = 0; n < 5; n++) tw('track', 'during-outage-' + n);
    });
    await until('the five events wait in sessionStorage', async () => (await unacked(page)).length === 5);
    await harness.restart();

    await until('the five events are acked', async () => (await unacked(page)).length === 0, 20_000);
    expect(names(harness.eventsOf(id, 'track'))).toEqual([0, 1, 2, 3, 4].map((n) => 'during-outage-' + n));
  });

  test('unacknowledged events survive a navigation and are sent from the next page', async () => {
    const { harness } = stage;
    const page = await stage.newPage();
    await page.goto(serveShopPage(harness, '/cart'));
    const id = await visitor(page);
    await until('the page view arrived', () => harness.eventsOf(id).length === 1);
    harness.acking = false;
    await page.evaluate(() => tw('cart_add', { id: 'p1', qty: 1 }));
    await until('the cart_add arrived unacked', () => harness.eventsOf(id, 'cart_add').length === 1);
    harness.acking = true;
    await page.goto(serveShopPage(harness, '/cart/next', { snippet: { automaticPages: false } }));
    await until('nothing waits for an ack', async () => (await unacked(page)).length === 0);
    const socketCopies = harness.deliveries.filter((d) => d.visitor === id && d.via === 'socket' && d.event.t === 'cart_add');
    expect(socketCopies).toHaveLength(2);
    expect(harness.eventsOf(id).map((event) => event.t)).toEqual(['page', 'cart_add']);
  });

  test('a page restored from the back/forward cache keeps the events another page of the tab left waiting', async () => {
    const { harness } = stage;
    const browser = await launchChromium({ backForwardCache: true });
    try {
      const page = await (await browser.newContext()).newPage();
      await page.addInitScript(() => addEventListener('pageshow', (event) => event.persisted && document.documentElement.setAttribute('data-restored', '')));
      await page.goto(serveShopPage(harness, '/bfcache/list'));
      const id = await visitor(page);
      await until('the page view is acked', async () => harness.eventsOf(id).length === 1 && (await unacked(page)).length === 0);

      // The engine goes down while the visitor is on the next page: the product waits in the
      // tab's outbox, and the beacon sent on leaving that page is lost too.
      await page.goto(serveShopPage(harness, '/bfcache/product', { snippet: { automaticPages: false } }));
      await harness.stop();
      await page.evaluate(() => tw('product', { id: 'p1' }));
      await until('the product waits in the outbox', async () => (await unacked(page)).length === 1);
      await page.goBack({ waitUntil: 'commit' });
      await until('the list page is restored from the back/forward cache', () => page.evaluate(() => document.documentElement.hasAttribute('data-restored')));

      await page.evaluate(() => tw('track', 'back-on-the-list'));
      await harness.restart();
      await until('both events are acked', async () => harness.eventsOf(id, 'track').length === 1 && (await unacked(page)).length === 0, 20_000);
      expect(harness.eventsOf(id).map((event) => event.t)).toEqual(['page', 'product', 'track']);
    } finally {
      await browser.close();
    }
  }, 40_000);

  test('leaving the page sends the unacknowledged events by beacon', async () => {
    const { harness } = stage;
    const page = await stage.newPage();
    await page.goto(serveShopPage(harness, '/leaving'));
    const id = await visitor(page);
    await until('the page view arrived', () => harness.eventsOf(id).length === 1);
    harness.acking = false;
    await page.evaluate(() => tw('checkout', { value: 42 }));
    await until('the checkout arrived by socket', () => harness.eventsOf(id, 'checkout').length === 1);

    await page.goto(serveShopPage(harness, '/elsewhere', { snippet: { automaticPages: false } }));
    const beaconed = (): string[] =>
      harness.deliveries.filter((d) => d.visitor === id && d.via === 'beacon').map((d) => d.event.t);
    await until('the checkout came again by beacon', () => beaconed().includes('checkout'));
    expect(beaconed().filter((type) => type === 'checkout')).toHaveLength(1);
  });

  test('when WebSockets are blocked, events go by POST /e and its ack is read', async () => {
    const { harness } = stage;
    harness.socketsAllowed = false;
    const page = await stage.newPage();
    await page.goto(serveShopPage(harness, '/blocked'));
    const id = await visitor(page);
    await page.evaluate(() => tw('search', { q: 'boots' }));
    await until('both events are acked', async () => harness.eventsOf(id).length === 2 && (await unacked(page)).length === 0, 20_000);
    expect(harness.eventsOf(id).map((event) => event.t)).toEqual(['page', 'search']);
    expect(new Set(harness.deliveries.filter((d) => d.visitor === id).map((d) => d.via))).toEqual(new Set(['post']));
  });

  test('the POST /e code is fetched only once sockets keep failing, and again when the engine was down then', async () => {
    const { harness } = stage;
    const page = await stage.newPage();
    const scripts: string[] = [];
    page.on('request', (request) => request.resourceType() === 'script' && scripts.push(new URL(request.url()).pathname));
    await page.goto(serveShopPage(harness, '/post-lazy'));
    const id = await visitor(page);
    await until('the page view is acked', async () => harness.eventsOf(id).length === 1 && (await unacked(page)).length === 0);
    expect(scripts).toEqual(['/tw.js']);

    // Down, then back behind a proxy that blocks WebSockets: the first tw-post.js cannot load.
    harness.socketsAllowed = false;
    await harness.stop();
    await page.evaluate(() => tw('search', { q: 'boots' }));
    await until('tw-post.js was asked for while the engine was down', () => scripts.includes('/tw-post.js'), 20_000);
    await harness.restart();

    await until('the search is acked', async () => harness.eventsOf(id, 'search').length === 1 && (await unacked(page)).length === 0, 25_000);
    expect(harness.deliveries.filter((d) => d.event.t === 'search' && d.visitor === id).map((d) => d.via)).toEqual(['post']);
    expect(scripts.filter((path) => path === '/tw-post.js').length).toBeGreaterThan(1);
  }, 60_000);

  test('a frame the engine failed as a whole goes again after the pause, though an event recorded just before the error was waiting to be sent', async () => {
    const { harness } = stage;
    const page = await pausedPage('/store-blip/pending-batch');
    const id = await visitor(page);
    await until('the page view is acked', async () => harness.eventsOf(id).length === 1 && (await unacked(page)).length === 0);
    failNextFrame();
    const failed = harness.failedFrames;
    await page.evaluate(() => tw('track', 'failed'));
    await page.clock.runFor(50);
    await until('the frame reached the engine', () => harness.failedFrames === failed + 1);

    // The page's timers stand still: the event's batch is certainly pending when the error is read.
    await page.evaluate(() => tw('track', 'recorded-meanwhile'));
    const errorAt = await readHeldError(page, id);

    await page.clock.runFor(1_000);
    await until('both events arrived', () => harness.eventsOf(id, 'track').length === 2, 10_000);
    const resent = harness.deliveries.find((d) => d.visitor === id && d.event.p?.name === 'failed')!;
    // The pause after a first failed frame is 0.5 s.
    expect(resent.sentAt).toBeGreaterThanOrEqual(errorAt + 500);
  });

  test('a first frame the engine failed as a whole goes again after the pause, though its batch was still pending when the socket opened', async () => {
    const { harness } = stage;
    failNextFrame();
    const failed = harness.failedFrames;
    // Recorded before tw.js runs: the socket's first frame carries it with the page view, sent as
    // the socket opens while their batch is still pending (the clock stands still).
    const page = await pausedPage('/store-blip/first-frame', "tw('track', 'failed')");
    const id = await visitor(page);
    await until('the first frame reached the engine', () => harness.failedFrames === failed + 1);
    const errorAt = await readHeldError(page, id);

    await page.clock.runFor(1_000);
    await until('the failed event arrived', () => harness.eventsOf(id, 'track').length === 1, 10_000);
    const resent = harness.deliveries.find((d) => d.visitor === id && d.event.p?.name === 'failed')!;
    expect(resent.sentAt).toBeGreaterThanOrEqual(errorAt + 500);
  });

  test('an event the engine rejects is dropped, the others are delivered', async () => {
    const { harness } = stage;
    harness.reject = (event) => (event.p?.name === 'too-big' ? 'TW_BAD_EVENT' : undefined);
    const page = await stage.newPage();
    await page.goto(serveShopPage(harness, '/rejected'));
    const id = await visitor(page);
    await page.evaluate(() => {
      tw('track', 'too-big');
      tw('track', 'fine');
    });
    await until('nothing waits for an ack', async () => harness.eventsOf(id).length === 2 && (await unacked(page)).length === 0);
    expect(names(harness.eventsOf(id, 'track'))).toEqual(['fine']);
  });

  test('an event too large for any frame is dropped from the outbox, and the events after it are delivered', async () => {
    const { harness } = stage;
    const page = await stage.newPage();
    await page.goto(serveShopPage(harness, '/too-large'));
    const id = await visitor(page);
    await until('the page view is acked', async () => harness.eventsOf(id).length === 1 && (await unacked(page)).length === 0);

    // 40 strings of 2,000 characters, each within the engine's bounds: 80 KB together, over a frame.
    await page.evaluate(() => {
      tw('track', 'export', { rows: Array.from({ length: 40 }, () => 'x'.repeat(2000)) });
      tw('search', { q: 'boots' });
    });
    await until('the search arrived', () => harness.eventsOf(id, 'search').length === 1);
    await until('the outbox is empty', async () => (await unacked(page)).length === 0);
    expect(harness.eventsOf(id, 'track')).toEqual([]);
  });
});

describe('the sent time', () => {
  /** The pages of this file share one visitor id: only the deliveries of the running test count. */
  let from = 0;
  beforeEach(() => {
    from = stage.harness.deliveries.length;
  });
  const copies = (id: string, type: string) => stage.harness.deliveries.slice(from).filter((d) => d.visitor === id && d.event.t === type);

  test('a socket frame says the page\'s clock when it is sent, a resent one when it is resent, not when its events were recorded', async () => {
    const { harness } = stage;
    const page = await stage.newPage();
    await page.goto(serveShopPage(harness, '/sent-time/store-blip'));
    const id = await visitor(page);
    await until('the page view is acked', async () => copies(id, 'page').length > 0 && (await unacked(page)).length === 0);
    const viewed = copies(id, 'page')[0]!;
    expect(viewed.sentAt).toBeGreaterThanOrEqual(viewed.event.ts);

    // The engine fails every frame for 0.6 s: the cart_add reaches it only when sent after that.
    harness.failFrames = 'TW_STORE_UNAVAILABLE';
    await page.evaluate(() => tw('cart_add', { id: 'p1', qty: 1 }));
    await page.waitForTimeout(600);
    harness.failFrames = undefined;
    await until('the cart_add came again', () => copies(id, 'cart_add').length === 1, 15_000);

    const resent = copies(id, 'cart_add')[0]!;
    expect(resent.via).toBe('socket');
    // Less than the 0.6 s: a frame sent just before the engine recovered may arrive just after.
    expect(resent.sentAt).toBeGreaterThanOrEqual(resent.event.ts + 500);
  });

  test('a beacon says the page\'s clock when it is sent, not when its events were recorded', async () => {
    const { harness } = stage;
    const page = await stage.newPage();
    await page.goto(serveShopPage(harness, '/sent-time/leaving'));
    const id = await visitor(page);
    await until('the page view arrived', () => copies(id, 'page').length > 0);
    harness.acking = false;
    await page.evaluate(() => tw('checkout', { value: 42 }));
    await until('the checkout arrived by socket', () => copies(id, 'checkout').length === 1);
    await page.waitForTimeout(500);
    await page.goto(serveShopPage(harness, '/sent-time/elsewhere', { snippet: { automaticPages: false } }));
    await until('the checkout came again by beacon', () => copies(id, 'checkout').some((d) => d.via === 'beacon'));

    const beacon = copies(id, 'checkout').find((d) => d.via === 'beacon')!;
    expect(beacon.sentAt).toBeGreaterThanOrEqual(beacon.event.ts + 500);
  });

  test('a POST /e says the page\'s clock when it is sent, not when its events were recorded', async () => {
    const { harness } = stage;
    harness.socketsAllowed = false;
    const page = await stage.newPage();
    await page.goto(serveShopPage(harness, '/sent-time/blocked'));
    const id = await visitor(page);
    await until('the page view came by POST', () => copies(id, 'page').some((d) => d.via === 'post'), 20_000);

    // Sent once 3 socket openings had failed, after pauses of at least 0.25 and 0.5 s.
    const posted = copies(id, 'page').find((d) => d.via === 'post')!;
    expect(posted.sentAt).toBeGreaterThanOrEqual(posted.event.ts + 700);
  });
});
