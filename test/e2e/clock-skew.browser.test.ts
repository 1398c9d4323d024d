import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { eventually, backendVariants, startTestEngine, type TestEngine } from '../support/test-engine.js';

/** The page's global, as the snippet defines it. */
declare const tw: (command: string, ...args: unknown[]) => void;

const HOUR = 3_600_000;
const REMINDER_MS = 3_000;
const CART_LEFT = `id: cart-left
when: { absence: { after: { event: cart_add }, missing: { event: [checkout, purchase] }, within: ${REMINDER_MS / 1000}s } }
then: { popin: { title: Your cart is waiting } }
`;

interface Row {
  time_ms: string | number;
  received_at_ms: string | number;
}

const { variants, urls } = await backendVariants();

/**
 * A shopper whose computer's clock is 3 hours slow: every Date the page makes (the tracker's
 * timestamps and its sent times) is 3 hours behind the engine's clock.
 */
describe.each(variants)('a shopper whose clock is 3 hours slow, in a real browser, on $backends backends', ({ backends, skip }) => {
  let engine: TestEngine;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let cartAddedAt: number;

  beforeAll(async () => {
    if (skip !== undefined) return;
    dir = await mkdtemp(join(tmpdir(), 'tw-clock-skew-'));
    await writeFile(join(dir, 'cart-left.yaml'), CART_LEFT);
    engine = await startTestEngine(backends, urls, { scenarios: { dir } });
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.addInitScript((skew) => {
      const RealDate = Date;
      class SlowDate extends RealDate {
        constructor(...args: unknown[]) {
          if (args.length === 0) super(RealDate.now() + skew);
          else super(...(args as [string]));
        }

        static override now(): number {
          return RealDate.now() + skew;
        }
      }
      window.Date = SlowDate as DateConstructor;
    }, -3 * HOUR);
  });

  afterAll(async () => {
    await browser?.close();
    await engine?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test.skipIf(skip !== undefined)('the page runs 3 hours slow', async () => {
    await page.goto(`${engine.url}/shop/`);
    const lag = Date.now() - (await page.evaluate(() => Date.now()));
    expect(lag).toBeGreaterThan(3 * HOUR - 1_000);
  });

  test.skipIf(skip !== undefined)('a cart add is stored at the engine\'s time, not 3 hours back', async () => {
    cartAddedAt = Date.now();
    await page.evaluate(() => tw('cart_add', { id: 'walnut-board', price: 49, qty: 1 }));
    const row = await eventually(async () => {
      await engine.sink.flush();
      const rows = await engine.warehouse.query<Row>("SELECT time_ms, received_at_ms FROM {events} WHERE type = 'cart_add'");
      return rows[0];
    }, 5000, 'the stored cart add');
    const stored = Number(row.time_ms);
    expect(stored).toBeGreaterThanOrEqual(cartAddedAt - 1_000);
    expect(stored).toBeLessThanOrEqual(Number(row.received_at_ms));
  });

  test.skipIf(skip !== undefined)(`the cart reminder pops in ${REMINDER_MS / 1000} s after the cart add, not at once`, async () => {
    await page.getByRole('dialog').waitFor({ state: 'visible', timeout: 10_000 });
    expect(Date.now() - cartAddedAt).toBeGreaterThanOrEqual(REMINDER_MS - 500);
    const fired = await eventually(async () => {
      await engine.sink.flush();
      const rows = await engine.warehouse.query<{ time_ms: string | number }>("SELECT time_ms FROM {triggers} WHERE scenario_id = 'cart-left' AND status = 'fired'");
      return rows[0];
    }, 5000, 'the fired reminder');
    expect(Number(fired.time_ms)).toBeGreaterThanOrEqual(cartAddedAt + REMINDER_MS - 1_000);
  });
});
