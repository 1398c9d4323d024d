import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStage, serveShopPage, unacked, until, visitorOf } from '../test-support/index.js';
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

async function visitor(page: Page): Promise<string> {
  let id: string | null = null;
  await until('tw.js has stored a visitor id', async () => (id = await visitorOf(page)) !== null);
  return id!;
}

function types(stageEvents: Array<{ t: string }>): string[] {
  return stageEvents.map((event) => event.t);
}

describe('the tw() API', () => {
  test('replays the calls queued before tw.js loaded, in order, after the automatic page view', async () => {
    const page = await stage.newPage();
    const url = serveShopPage(stage.harness, '/queued', {
      before: "tw('product',{id:'p1',price:20});tw('cart_add',{id:'p1',qty:2});tw('track','wishlist',{id:'p1'});",
    });
    await page.goto(url);
    const id = await visitor(page);
    await until('the four events arrived', () => stage.harness.eventsOf(id).length === 4);
    const events = stage.harness.eventsOf(id);
    expect(types(events)).toEqual(['page', 'product', 'cart_add', 'track']);
    expect(events[1]!.p).toEqual({ id: 'p1', price: 20 });
    expect(events[3]!.p).toEqual({ name: 'wishlist', id: 'p1' });
  });

  test('stamps every event with a unique id, its time, the page URL and the session', async () => {
    const page = await stage.newPage();
    const url = serveShopPage(stage.harness, '/stamped');
    await page.goto(url);
    const id = await visitor(page);
    await page.evaluate(() => {
      tw('search', { q: 'shoes' });
      tw('category', { id: 'c1' });
    });
    await until('three events arrived', () => stage.harness.eventsOf(id).length === 3);
    const events = stage.harness.eventsOf(id);
    expect(new Set(events.map((event) => event.i)).size).toBe(3);
    expect(new Set(events.map((event) => event.ss)).size).toBe(1);
    for (const event of events) {
      expect(event.u).toBe(url);
      expect(Math.abs(event.ts - Date.now())).toBeLessThan(60_000);
    }
  });

  test('sends events recorded together in one frame, and forgets them once acked', async () => {
    const page = await stage.newPage();
    await page.goto(serveShopPage(stage.harness, '/batched'));
    const id = await visitor(page);
    await until('the page view is acked', async () => stage.harness.eventsOf(id).length === 1 && (await unacked(page)).length === 0);
    const before = stage.harness.deliveries.length;
    await page.evaluate(() => {
      for (let n = 0; n < 5; n++) tw('track', 'scroll', { depth: n });
    });
    await until('the five events are acked', async () => stage.harness.eventsOf(id).length === 6 && (await unacked(page)).length === 0);
    const frames = new Set(stage.harness.deliveries.slice(before).map((delivery) => delivery.frame));
    expect(frames.size).toBe(1);
  });

  test('reset starts a new visitor', async () => {
    const page = await stage.newPage();
    await page.goto(serveShopPage(stage.harness, '/reset'));
    const first = await visitor(page);
    await page.evaluate(() => tw('reset'));
    await page.evaluate(() => tw('track', 'after_logout'));
    const second = await visitor(page);
    expect(second).not.toBe(first);
    await until('the new visitor event arrived', () => stage.harness.eventsOf(second, 'track').length === 1);
    expect(stage.harness.eventsOf(first, 'track')).toEqual([]);
  });

  test('data-auto="0" records no automatic page view, tw("page") records one', async () => {
    const page = await stage.newPage();
    await page.goto(serveShopPage(stage.harness, '/manual', { snippet: { automaticPages: false }, before: "tw('page')" }));
    const id = await visitor(page);
    await page.evaluate(() => history.pushState(null, '', '/manual/next'));
    await page.evaluate(() => tw('track', 'marker'));
    await until('the marker arrived', () => stage.harness.eventsOf(id, 'track').length === 1);
    expect(types(stage.harness.eventsOf(id))).toEqual(['page', 'track']);
  });
});

describe('single-page apps', () => {
  test('count one page view per route change, none for replaceState to the same URL', async () => {
    const page = await stage.newPage();
    await page.goto(serveShopPage(stage.harness, '/spa'));
    const id = await visitor(page);
    await page.evaluate(() => {
      history.pushState(null, '', '/spa/a');
      history.replaceState({ scrolled: 1 }, '', '/spa/a');
      history.replaceState(null, '');
      history.pushState(null, '', '/spa/b');
    });
    await page.goBack();
    await page.evaluate(() => {
      location.hash = 'reviews';
    });
    const origin = stage.harness.siteOrigin;
    const expected = ['/spa', '/spa/a', '/spa/b', '/spa/a', '/spa/a#reviews'].map((path) => origin + path);
    await until('five page views arrived', () => stage.harness.eventsOf(id, 'page').length >= 5);
    await page.evaluate(() => tw('track', 'marker'));
    await until('the marker arrived', () => stage.harness.eventsOf(id, 'track').length === 1);
    expect(stage.harness.eventsOf(id, 'page').map((event) => event.u)).toEqual(expected);
  });
});

describe('privacy', () => {
  test('with data-consent="required", nothing is stored or sent before consent, and everything after it', async () => {
    const page = await stage.newPage();
    const sockets: string[] = [];
    const posts: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    page.on('request', (request) => request.method() === 'POST' && posts.push(request.url()));
    await page.goto(serveShopPage(stage.harness, '/consent', { snippet: { consentRequired: true }, before: "tw('product',{id:'p9'})" }));
    await page.waitForLoadState('networkidle');
    expect(sockets).toEqual([]);
    expect(posts).toEqual([]);
    expect(await page.evaluate(() => Object.keys(localStorage).concat(Object.keys(sessionStorage)))).toEqual([]);

    await page.evaluate(() => tw('consent', { analytics: true, email: true }));
    const id = await visitor(page);
    await until('the held events arrived', () => stage.harness.eventsOf(id).length === 3);
    const events = stage.harness.eventsOf(id);
    expect(types(events)).toEqual(['page', 'product', 'consent']);
    expect(events.every((event) => typeof event.ss === 'string' && event.ss !== '')).toBe(true);
  });

  test('withdrawing consent is the last event sent: the visitor is forgotten, nothing of it stays in storage, and nothing more is recorded', async () => {
    const page = await stage.newPage();
    await page.goto(serveShopPage(stage.harness, '/withdraw', { snippet: { consentRequired: true }, before: "tw('consent',{analytics:true})" }));
    const id = await visitor(page);
    await until('the page view and the consent arrived', () => stage.harness.eventsOf(id).length === 2);

    await page.evaluate(() => {
      tw('consent', { analytics: false });
      tw('product', { id: 'p9' });
    });
    await until('the withdrawal arrived', () => stage.harness.eventsOf(id, 'consent').length === 2);
    expect(stage.harness.eventsOf(id, 'consent').map((event) => event.p)).toEqual([{ analytics: true }, { analytics: false }]);
    // Nothing of the visitor is left (no id, session, consent or outbox, not even an empty one),
    // and the product never reached the outbox, so it can never be sent.
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
    expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual([]);
    expect(types(stage.harness.eventsOf(id))).toEqual(['page', 'consent', 'consent']);
  });

  test('with data-respect-dnt="1", a browser sending Global Privacy Control is not tracked', async () => {
    const page = await stage.newPage();
    await page.addInitScript(() => Object.defineProperty(navigator, 'globalPrivacyControl', { value: true }));
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(serveShopPage(stage.harness, '/gpc', { snippet: { respectDoNotTrack: true } }));
    await page.waitForLoadState('networkidle');
    expect(sockets).toEqual([]);
    expect(await visitorOf(page)).toBeNull();
  });
});
