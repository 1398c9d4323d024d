/**
 * The tracker never throws into the host page, and resends what the engine failed to process
 * (README: "Frames are not acked, so clients resend"), but not a frame the engine refused.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { openStage, serveShopPage, unacked, until, visitorOf } from '../test-support/index.js';
import type { TrackerStage } from '../test-support/index.js';

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
  stage.harness.failFrames = undefined;
});

async function visitor(page: Page): Promise<string> {
  let id: string | null = null;
  await until('tw.js has stored a visitor id', async () => (id = await visitorOf(page)) !== null);
  return id!;
}

describe('robustness', () => {
  test('a call whose props JSON cannot encode (a circular object) does not throw into the page', async () => {
    const { harness } = stage;
    const page = await stage.newPage();
    await page.goto(serveShopPage(harness, '/circular'));
    const id = await visitor(page);
    await until('the page view arrived', () => harness.eventsOf(id).length === 1);

    // A framework's product model with a back reference, passed as is.
    const thrown = await page.evaluate(() => {
      const product: Record<string, unknown> = { id: 'sku-1', name: 'Trail shoe' };
      product.variants = [{ size: 42, product }];
      try {
        tw('product', product);
        return null;
      } catch (error) {
        return String(error);
      }
    });
    expect(thrown).toBeNull();
  });

  test('after a call whose props JSON cannot encode, the page keeps tracking', async () => {
    const { harness } = stage;
    const page = await stage.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(serveShopPage(harness, '/circular-then-more'));
    const id = await visitor(page);
    await until('the page view arrived', () => harness.eventsOf(id).length === 1);

    await page.evaluate(() => {
      const product: Record<string, unknown> = { id: 'sku-1' };
      product.self = product;
      try {
        tw('product', product);
      } catch {
        // The host page's own code keeps going.
      }
      try {
        tw('search', { q: 'boots' });
      } catch {
        // Idem.
      }
    });
    await until('the search arrived', () => harness.eventsOf(id, 'search').length === 1, 5000).catch(() => undefined);
    expect(harness.eventsOf(id, 'search')).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  // Another script, an older tracker or a corrupted write may have left anything under the key.
  test.each([
    ['an object', '{}'],
    ['a JSON string', '"x"'],
    ['null', 'null'],
    ['a number', '5'],
    ['text that is not JSON', 'x['],
  ])('an outbox stored as %s, not a list of events, counts as empty: the page is tracked', async (_, stored) => {
    const { harness } = stage;
    const page = await stage.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.addInitScript((value) => sessionStorage.setItem('tw_q', value), stored);
    await page.goto(serveShopPage(harness, '/stored-outbox/' + encodeURIComponent(stored)));
    const id = await visitor(page);
    await until('the page view is acked', async () => harness.eventsOf(id).length === 1 && (await unacked(page)).length === 0);
    expect(errors).toEqual([]);
  });

  test('a stored outbox keeps its events and leaves out the entries that are not events', async () => {
    const { harness } = stage;
    const page = await stage.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const earlier = { i: 'earlier-1', t: 'track', ts: Date.now(), u: harness.siteOrigin + '/earlier', ss: '', p: { name: 'left-by-an-earlier-page' } };
    await page.addInitScript((value) => sessionStorage.setItem('tw_q', value), JSON.stringify([null, 5, 'x', {}, earlier]));
    await page.goto(serveShopPage(harness, '/stored-outbox/mixed'));
    const id = await visitor(page);
    await until('the page view and the earlier event are acked', async () => harness.eventsOf(id).length === 2 && (await unacked(page)).length === 0);
    expect(harness.eventsOf(id, 'track')).toEqual([earlier]);
    expect(errors).toEqual([]);
  });

  test('a frame the engine failed to process (TW_STORE_UNAVAILABLE, no ack) is resent on the open socket', async () => {
    const { harness } = stage;
    const page = await stage.newPage();
    await page.goto(serveShopPage(harness, '/store-blip'));
    const id = await visitor(page);
    await until('the page view is acked', async () => harness.eventsOf(id).length === 1 && (await unacked(page)).length === 0);

    // Redis is briefly unreachable: the engine answers the frame with an error without `i`.
    harness.failFrames = 'TW_STORE_UNAVAILABLE';
    await page.evaluate(() => tw('cart_add', { id: 'sku-1', qty: 1, price: 49 }));
    await until('the cart_add waits in the outbox', async () => (await unacked(page)).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Redis is back. The socket stayed open and the visitor stays on the page (a long single-page session).
    harness.failFrames = undefined;

    await until('the cart_add reached the engine', () => harness.eventsOf(id, 'cart_add').length === 1, 15_000).catch(() => undefined);
    expect(harness.eventsOf(id, 'cart_add')).toHaveLength(1);
  }, 30_000);

  test('a frame the engine refused for what it is (TW_FRAME_TOO_LARGE) is not resent on the open socket', async () => {
    const { harness } = stage;
    const page = await stage.newPage();
    await page.goto(serveShopPage(harness, '/refused'));
    const id = await visitor(page);
    await until('the page view is acked', async () => harness.eventsOf(id).length === 1 && (await unacked(page)).length === 0);

    harness.failFrames = 'TW_FRAME_TOO_LARGE';
    const before = harness.failedFrames;
    await page.evaluate(() => tw('cart_add', { id: 'sku-1', qty: 1, price: 49 }));
    await until('the frame was refused', () => harness.failedFrames > before);
    // Long enough for the first two pauses after a frame the engine failed (0.5 s, 1 s).
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(harness.failedFrames - before).toBe(1);
  });

});
