import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { eventually, backendVariants, startTestEngine, type TestEngine } from '../support/test-engine.js';

const { variants, urls } = await backendVariants();

describe.each(variants)('a shopper in a real browser, on $backends backends', ({ backends, skip }) => {
  let engine: TestEngine;
  let browser: Browser;
  let page: Page;
  let triggerId: string;

  beforeAll(async () => {
    if (skip !== undefined) return;
    engine = await startTestEngine(backends, urls);
    browser = await launchBrowser();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await engine?.close();
  });

  test.skipIf(skip !== undefined)('sees a pop-in offer, without reloading, after viewing one product 3 times', async () => {
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(`${engine.url}/shop/`);
    const product = await page.locator('[data-test="product-link"]').first().getAttribute('href');
    for (let view = 1; view <= 3; view++) await page.goto(`${engine.url}${product}`);
    const dialog = page.getByRole('dialog');
    await dialog.waitFor({ state: 'visible', timeout: 5000 });
    const title = await dialog.getByRole('heading').textContent();
    expect(title).toMatch(/^Still thinking about /);
    expect(await dialog.isVisible()).toBe(true);
    expect(sockets.every((url) => url.includes('/live?'))).toBe(true);
    triggerId = await eventually(() => popinTrigger(engine), 5000, 'the pop-in trigger row');
  });

  test.skipIf(skip !== undefined)('stores the visit and the trigger in ClickHouse', async () => {
    await engine.sink.flush();
    const counts = await engine.warehouse.query<{ type: string; n: string | number }>(
      'SELECT type, count() AS n FROM {events} GROUP BY type ORDER BY type',
    );
    const byType = Object.fromEntries(counts.map((row) => [row.type, Number(row.n)]));
    expect(byType.product).toBe(3);
    expect(byType.page).toBeGreaterThanOrEqual(4);
    const triggers = await engine.warehouse.query<{ scenario_id: string; status: string }>(
      `SELECT scenario_id, status FROM {triggers} WHERE trigger_id = '${triggerId}'`,
    );
    expect(triggers).toEqual([{ scenario_id: 'product-viewed-3-times', status: 'fired' }]);
    const shown = await eventually(async () => {
      await engine.sink.flush();
      const rows = await engine.warehouse.query<{ status: string }>(`SELECT status FROM {deliveries} WHERE trigger_id = '${triggerId}' ORDER BY status`);
      return rows.some((row) => row.status === 'shown') ? rows.map((row) => row.status) : undefined;
    }, 5000, 'the pop-in shown delivery');
    expect(shown).toEqual(['sent', 'shown']);
  });
});

async function popinTrigger(engine: TestEngine): Promise<string | undefined> {
  await engine.sink.flush();
  const rows = await engine.warehouse.query<{ trigger_id: string }>(
    "SELECT trigger_id FROM {triggers} WHERE scenario_id = 'product-viewed-3-times' AND status = 'fired'",
  );
  return rows[0]?.trigger_id;
}
