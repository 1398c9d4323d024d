/**
 * The tracker's delivery against the real engine (embedded backends), served under the shop's
 * own origin as docs/tracker.md recommends: what the engine bounds and checks, met by real pages.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestEngine } from '../../test/support/test-engine.js';
import type { TestEngine } from '../../test/support/test-engine.js';
import { snippet } from '../src/snippet.js';
import { SiteProxy, launchChromium, unacked, until } from '../test-support/index.js';

declare const tw: (command: string, ...args: unknown[]) => void;

interface StoredEvent {
  event_id: string;
  type: string;
  url: string;
  props: string;
}

describe('the tracker on the real engine: delivery edge cases', () => {
  let engine: TestEngine;
  let proxy: SiteProxy;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    engine = await startTestEngine('embedded', undefined);
    proxy = await SiteProxy.start({ prefix: '/t', enginePort: engine.port });
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await engine?.close();
  });

  function shopPage(path: string, body = ''): string {
    const html =
      '<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>' +
      snippet(proxy.origin + '/t/tw.js', engine.config.sites[0]!.key) +
      `</head><body><h1>Shop</h1>${body}</body></html>`;
    return proxy.servePage(path, html);
  }

  async function open(init?: string): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    if (init !== undefined) await page.addInitScript(init);
    return page;
  }

  /** The visitor id the tracker uses: the server cookie's when set, else localStorage's. */
  async function visitorIn(page: Page): Promise<string> {
    let id: string | null = null;
    await until('tw.js has a visitor id', async () => {
      id = await page.evaluate(() => (/(?:^|; )tw_vid=([^;]*)/.exec(document.cookie) || [])[1] || localStorage.getItem('tw_v'));
      return id !== null;
    });
    return id!;
  }

  async function stored(visitor: string, where = '1'): Promise<StoredEvent[]> {
    await engine.sink.flush();
    return engine.warehouse.query<StoredEvent>(
      `SELECT event_id, type, url, props FROM {events} WHERE visitor_id = '${visitor}' AND ${where} ORDER BY time, event_id`,
    );
  }

  async function rejectedCount(code: string): Promise<number> {
    const text = await (await fetch(`${engine.url}/metrics`)).text();
    const found = new RegExp(`tripwire_events_rejected_total\\{code="${code}"\\} (\\d+)`).exec(text);
    return found ? Number(found[1]) : 0;
  }

  test('events small enough one by one are not lost when the tracker batches them into a frame over maxFrameBytes', async () => {
    const page = await open();
    await page.goto(shopPage('/order-confirmed'));
    const visitor = await visitorIn(page);
    await until('the page view is acked', async () => (await unacked(page)).length === 0);

    // A checkout and its purchase of a 100-line order (the most an array may hold), recorded in the same turn (as when both
    // waited in the outbox through a short engine outage): each event is ~35 KB, inside every
    // per-event bound the engine documents, but together they pass the 64 KiB frame limit.
    await page.evaluate(() => {
      const items = Array.from({ length: 100 }, (_, n) => ({
        id: 'sku-' + n,
        name: 'Walnut cutting board, large, oiled, with juice groove no. ' + n,
        price: 49,
        qty: 1,
        category: 'kitchen',
        url: 'https://shop.example/products/walnut-cutting-board-large-oiled-with-juice-groove-' + n,
        image: 'https://cdn.shop.example/images/products/walnut-cutting-board-large-' + n + '.jpg',
        brand: 'Atelier Noyer',
        variant: 'Large / oiled / juice groove',
      }));
      tw('cart_add', { id: 'sku-0', qty: 1, price: 49 });
      tw('checkout', { value: 2940, items });
      tw('purchase', { order: 'A-1042', value: 2940, items });
    });
    // Each event alone fits in a frame: what the engine would accept.
    const sizes = await page.evaluate(() => (JSON.parse(sessionStorage.getItem('tw_q') || '[]') as unknown[]).map((e) => JSON.stringify(e).length));
    expect(Math.max(...sizes)).toBeLessThan(engine.config.gateway.maxFrameBytes);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBeGreaterThan(engine.config.gateway.maxFrameBytes);

    const rows = await eventually(async () => {
      const found = await stored(visitor, "type IN ('cart_add', 'checkout', 'purchase')");
      return found.length === 3 ? found : undefined;
    }, 10_000, 'the cart_add, checkout and purchase rows').catch(() => []);
    expect(rows.map((row) => row.type)).toEqual(['cart_add', 'checkout', 'purchase']);
  });

  test('a page of another site cannot choose the visitor id the engine sets as the tw_vid cookie', async () => {
    // The attacker's page, on another site (127.0.0.1 is not the same site as localhost), sends the
    // visitor to the shop's /t/id with an id of the attacker's choosing, by a plain link.
    const shopOrigin = proxy.origin;
    const attacker = proxy.servePage('/free-gift', `<!doctype html><a id="go" href="${shopOrigin}/t/id?v=chosen-by-attacker">Free gift</a>`);
    const page = await open();
    await page.goto(attacker.replace('localhost', '127.0.0.1'));
    await Promise.all([page.waitForURL(/\/t\/id/), page.click('#go')]);

    // Later the visitor shops as usual.
    await page.goto(shopPage('/home'));
    await until('the page view is acked', async () => (await unacked(page)).length === 0);
    expect(await visitorIn(page)).not.toBe('chosen-by-attacker');
  });

  test('an event the engine rejects in the answer of POST /e (WebSockets blocked) is dropped from the outbox, not resent', async () => {
    // A proxy or firewall that blocks WebSockets: every socket opening fails, so after three
    // failures the tracker sends by fetch('/e') and reads the ack from the answer.
    const page = await open(`{
      const Native = window.WebSocket;
      window.WebSocket = function () { return new Native('ws://127.0.0.1:1/'); };
    }`);
    await page.goto(shopPage('/no-sockets'));
    await visitorIn(page);
    await until('the page view is acked by POST', async () => (await unacked(page)).length === 0, 20_000);
    const before = await rejectedCount('TW_UNKNOWN_EVENT');

    await page.evaluate(() => {
      tw('teleport', { to: 'mars' });
      tw('search', { q: 'boots' });
    });
    await until('the engine rejected the unknown event', async () => (await rejectedCount('TW_UNKNOWN_EVENT')) > before, 20_000);
    await until('the search is acked', async () => !(await unacked(page)).some((event) => event.t === 'search'), 20_000);
    // Give the tracker a socket retry or two: over the socket, a rejected event leaves the outbox at once.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect((await unacked(page)).map((event) => event.t)).toEqual([]);
    expect((await rejectedCount('TW_UNKNOWN_EVENT')) - before).toBe(1);
  }, 40_000);

  test('page views of a single-page app stay within the wire bounds when the previous URL or the title is long', async () => {
    const page = await open();
    await page.goto(shopPage('/search'));
    const visitor = await visitorIn(page);
    await until('the page view is acked', async () => (await unacked(page)).length === 0);
    // A faceted search that keeps its state in the query string (a URL of 2,100 characters), and
    // lists the filters in the title.
    await page.evaluate(() => {
      document.title = 'Walnut, oiled, large | '.repeat(100);
      history.pushState({}, '', '/search?filters=' + 'colour:walnut,'.repeat(150));
      history.pushState({}, '', '/search/results');
    });
    const pages = await eventually(async () => {
      const found = await stored(visitor, "type = 'page'");
      return found.length === 3 ? found : undefined;
    }, 5_000, 'three page views').catch(async () => stored(visitor, "type = 'page'"));
    expect(pages.map((row) => new URL(row.url).pathname)).toEqual(['/search', '/search', '/search/results']);
  });
});
