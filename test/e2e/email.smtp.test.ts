import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { demoScenariosWithCartDelay } from '../support/demo-scenarios.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { eventually, backendVariants, startTestEngine, type TestEngine } from '../support/test-engine.js';

const { variants, urls } = await backendVariants();

describe.each(variants)('cart abandonment email over SMTP, on $backends backends', ({ backends, skip }) => {
  let engine: TestEngine;
  let smtp: SmtpSink;
  let browser: Browser;
  let fixtures: string;

  beforeAll(async () => {
    if (skip !== undefined) return;
    fixtures = await mkdtemp(join(tmpdir(), 'tripwire-fixtures-'));
    smtp = await startSmtpSink();
    engine = await startTestEngine(backends, urls, {
      email: { smtpUrl: smtp.url },
      scenarios: { dir: await demoScenariosWithCartDelay(fixtures, '2s') },
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await engine?.close();
    await smtp?.close();
    if (fixtures) await rm(fixtures, { recursive: true, force: true });
  });

  test.skipIf(skip !== undefined)('an identified visitor who leaves a cart gets exactly one email listing it', async () => {
    const page = await browser.newPage();
    await page.goto(`${engine.url}/shop/login`);
    await page.locator('[data-test="login-email"]').fill('ada@example.test');
    await page.locator('[data-test="login-consent"]').check();
    await page.locator('[data-test="login-submit"]').click();
    await page.locator('[data-test="account"]').waitFor({ state: 'visible' });

    await page.goto(`${engine.url}/shop/`);
    const product = await page.locator('[data-test="product-link"]').first().getAttribute('href');
    await page.goto(`${engine.url}${product}`);
    const name = (await page.locator('h1').first().textContent())!.trim();
    await page.locator('[data-test="add-to-cart"]').click();
    await eventually(() => cartAdds(engine), 5000, 'the cart_add event in the warehouse');
    await page.close();

    const mail = await eventually(() => smtp.messages[0], 15_000, 'the cart reminder');
    await engine.pipeline.fireDueTimers();
    expect(smtp.messages).toHaveLength(1);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain('ada@example.test');
    expect(mail.subject).toBe('You left something in your cart');
    expect(mail.html || '').toContain(name);
    expect(mail.text || '').toContain(name);
  });

  test.skipIf(skip !== undefined)('records the trigger and the sent delivery in ClickHouse', async () => {
    const statuses = await eventually(async () => {
      await engine.sink.flush();
      const rows = await engine.warehouse.query<{ status: string }>(
        "SELECT d.status AS status FROM {deliveries} AS d WHERE d.scenario_id = 'cart-abandoned' ORDER BY d.status",
      );
      return rows.length >= 2 ? rows.map((row) => row.status) : undefined;
    }, 5000, 'the email deliveries');
    expect(statuses).toEqual(['queued', 'sent']);
  });
});

async function cartAdds(engine: TestEngine): Promise<number | undefined> {
  await engine.sink.flush();
  const rows = await engine.warehouse.query<{ n: string | number }>("SELECT count() AS n FROM {events} WHERE type = 'cart_add'");
  const n = Number(rows[0]?.n ?? 0);
  return n > 0 ? n : undefined;
}
