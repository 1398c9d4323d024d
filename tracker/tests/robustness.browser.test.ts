/** The tracker never throws into the host page, and a call it cannot record changes no later one. */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStage, serveShopPage, until, visitorOf } from '../test-support/index.js';
import type { TrackerStage } from '../test-support/index.js';

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

});
