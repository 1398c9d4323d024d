import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ConversionRow, DeliveryRow, EventRow, TriggerRow } from '../../engine/warehouse/index.js';
import { launchBrowser } from '../support/browser.js';
import { backendVariants, startTestEngine, type TestEngine } from '../support/test-engine.js';

const { variants, urls } = await backendVariants();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SCREENSHOT = 'test-results/screenshots/dashboard.png';

describe.each(variants)('the dashboard in a real browser, on $backends backends', ({ backends, skip }) => {
  let engine: TestEngine;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (skip !== undefined) return;
    engine = await startTestEngine(backends, urls, { admin: { token: 'dashboard-test-token-0123' } });
    await seedShop(engine, Date.now());
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await engine?.close();
  });

  test.skipIf(skip !== undefined)('asks for the admin token before showing anything', async () => {
    const response = await page.goto(`${engine.url}/dashboard`);
    expect(response?.status()).toBe(401);
    await page.getByLabel('Admin token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/not the admin token/);
    expect(await page.locator('#panels').count()).toBe(0);
  });

  test.skipIf(skip !== undefined)('signing in with the token shows every chart, filled from the warehouse', async () => {
    await page.goto(`${engine.url}/dashboard`);
    await page.getByLabel('Admin token').fill('dashboard-test-token-0123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#panels').waitFor();
    for (const chart of ['#live', '#triggers', '#conversion', '#funnel']) expect(await page.locator(`${chart} svg.chart`).count()).toBe(1);
    expect(await page.locator('[data-test="tile-triggers-fired"]').textContent()).toBe('55');
    expect(await page.locator('[data-test="tile-orders-attributed"]').textContent()).toBe('19');
    expect(await page.locator('#conversion').textContent()).toContain('+25 pts');
    expect(await page.locator('#funnel').textContent()).toContain('Purchased');
    const cookie = (await page.context().cookies()).find((candidate) => candidate.name === 'tw_admin');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    if (backends === 'embedded') {
      await mkdir('test-results/screenshots', { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    }
  });

  test.skipIf(skip !== undefined)('a ?token= link signs in and leaves the address bar without the token', async () => {
    const fresh = await browser.newPage();
    await fresh.goto(`${engine.url}/dashboard?token=dashboard-test-token-0123&days=7`);
    await fresh.locator('#panels').waitFor();
    expect(new URL(fresh.url()).search).toBe('?days=7');
    await fresh.close();
  });
});

/**
 * A shop's last month, made so the dashboard has something to draw and the test knows the totals:
 * 55 triggers fired, 19 orders attributed, variant A 25 points above control.
 */
async function seedShop(engine: TestEngine, now: number): Promise<void> {
  const triggers: TriggerRow[] = [];
  const deliveries: DeliveryRow[] = [];
  const conversions: ConversionRow[] = [];
  const events: EventRow[] = [];
  const arms: Array<{ scenario: string; variant: string; visitors: number; buyers: number; channel: string }> = [
    { scenario: 'product-viewed-3-times', variant: 'A', visitors: 20, buyers: 8, channel: 'popin' },
    { scenario: 'product-viewed-3-times', variant: 'B', visitors: 20, buyers: 6, channel: 'popin' },
    { scenario: 'product-viewed-3-times', variant: 'control', visitors: 20, buyers: 3, channel: 'popin' },
    { scenario: 'cart-abandoned', variant: 'A', visitors: 15, buyers: 5, channel: 'email' },
  ];
  let n = 0;
  for (const arm of arms) {
    for (let i = 0; i < arm.visitors; i++) {
      const visitor = `${arm.scenario}-${arm.variant}-${i}`;
      const time = now - ((n++ * 7) % 20) * DAY - 3 * HOUR;
      const id = `t-${visitor}`;
      const control = arm.variant === 'control';
      triggers.push(trigger({ trigger_id: id, visitor_id: visitor, scenario_id: arm.scenario, variant: arm.variant, channel: arm.channel, status: control ? 'suppressed' : 'fired', reason: control ? 'control' : '', time }));
      if (!control) {
        const shown = arm.channel === 'popin' ? 'shown' : 'sent';
        deliveries.push(delivery(id, visitor, arm.scenario, arm.channel, shown, time + 1000));
        if (i % 3 === 0) deliveries.push(delivery(id, visitor, arm.scenario, arm.channel, arm.channel === 'popin' ? 'clicked' : 'opened', time + 5000));
      }
      if (i < arm.buyers) conversions.push({ site: 'demo', visitor_id: visitor, order_id: `o-${visitor}`, event_id: `e-${visitor}`, value: 40 + i * 7, items: 1, trigger_id: '', time: time + HOUR });
    }
    for (let i = 0; i < 4; i++) {
      triggers.push(trigger({ visitor_id: `${arm.scenario}-s${i}`, scenario_id: arm.scenario, variant: arm.variant === 'control' ? 'A' : arm.variant, channel: arm.channel, status: 'suppressed', reason: ['cooldown', 'cap', 'cap', 'consent'][i]!, time: now - i * DAY - HOUR }));
    }
  }
  for (let minute = 0; minute < 60; minute++) {
    const received = now - (59 - minute) * MINUTE;
    const count = Math.round(14 + 10 * Math.sin(minute / 6) + minute / 3);
    for (let i = 0; i < count; i++) events.push(event(`live-${minute}-${i}`, `live-${i % 9}`, 'page', received - 500, received));
  }
  for (let day = 0; day < 14; day++) {
    const base = now - day * DAY - 2 * HOUR;
    for (let v = 0; v < 30 + (day % 4) * 5; v++) {
      const visitor = `shopper-${day}-${v}`;
      const steps = v % 10 === 0 ? 4 : v % 5 === 0 ? 3 : v % 3 === 0 ? 2 : 1;
      ['product', 'cart_add', 'checkout', 'purchase'].slice(0, steps).forEach((type, s) => events.push(event(`f-${visitor}-${s}`, visitor, type, base + s * MINUTE, base + s * MINUTE)));
    }
  }
  await engine.warehouse.insert('triggers', triggers);
  await engine.warehouse.insert('deliveries', deliveries);
  await engine.warehouse.insert('conversions', conversions);
  await engine.warehouse.insert('events', events);
}

function trigger(row: Partial<TriggerRow>): TriggerRow {
  return { trigger_id: `t-${Math.random().toString(36).slice(2)}`, site: 'demo', visitor_id: 'v', scenario_id: 's', variant: 'A', channel: 'popin', status: 'fired', reason: '', event_id: '', time: 0, context: '{}', ...row };
}

function delivery(trigger: string, visitor: string, scenario: string, channel: string, status: string, time: number): DeliveryRow {
  return { delivery_id: `${trigger}:${status}`, trigger_id: trigger, site: 'demo', visitor_id: visitor, scenario_id: scenario, channel, status, detail: '', time };
}

function event(id: string, visitor: string, type: string, time: number, received: number): EventRow {
  return { site: 'demo', visitor_id: visitor, session_id: 's', event_id: id, type, time, received_at: received, url: 'https://shop.example/', product_id: '', category: '', search_query: '', value: 0, props: '{}' };
}
