/**
 * The tracker against the real engine (not the harness): served under the shop's own origin
 * through a reverse-proxy path, as docs/tracker.md recommends, on the embedded backends and on
 * real Redis and ClickHouse servers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { eventually, backendVariants, startTestEngine } from '../../test/support/test-engine.js';
import type { Backends, TestEngine } from '../../test/support/test-engine.js';
import { snippet } from '../src/snippet.js';
import { SiteProxy, launchChromium, unacked, until, visitorOf } from '../test-support/index.js';

const { variants, urls } = await backendVariants();

const WORDING = 'Email me offers. I can unsubscribe at any time.';

/** On exit intent, offer a discount code against an email address. */
const EXIT_SCENARIO = `
id: exit-email-capture
when:
  count:
    event: exit_intent
    atLeast: 1
    within: 30m
then:
  popin:
    template: modal
    title: "Before you go: 10% off"
    body: "Leave your address and we send you the code."
    form:
      kind: email
      label: Your email
      consent: "${WORDING}"
      submit: Send me the code
      thanks: "Sent! Check your inbox."
`;

interface StoredEvent {
  event_id: string;
  type: string;
  product_id: string;
  value: number;
  url: string;
  props: string;
  time: string | number;
}

describe.each(variants)('the tracker on the real engine, $backends backends', ({ backends, skip }) => {
  let engine: TestEngine;
  let proxy: SiteProxy;
  let browser: Browser;
  let scenarios: string;
  /** Each test's browser contexts, closed after it so no page of an earlier test talks to the engine. */
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    if (skip !== undefined) return;
    scenarios = await mkdtemp(join(tmpdir(), 'tw-scenarios-'));
    await writeFile(join(scenarios, 'exit-email-capture.yaml'), EXIT_SCENARIO);
    engine = await startTestEngine(backends, urls, { scenarios: { dir: scenarios } });
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
    if (scenarios) await rm(scenarios, { recursive: true, force: true });
  });

  function shopPage(path: string, body = '', capture: Array<'jsonld' | 'datalayer' | 'exit'> = []): string {
    const html =
      '<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>' +
      snippet(proxy.origin + '/t/tw.js', engine.config.sites[0]!.key, { capture }) +
      `</head><body><h1>Shop</h1>${body}</body></html>`;
    return proxy.servePage(path, html);
  }

  async function visit(url: string): Promise<{ page: Page; visitor: string }> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(url);
    let visitor: string | null = null;
    await until('tw.js has a visitor id', async () => (visitor = await visitorOf(page)) !== null);
    return { page, visitor: visitor! };
  }

  async function stored(visitor: string, where = '1'): Promise<StoredEvent[]> {
    await engine.sink.flush();
    return engine.warehouse.query<StoredEvent>(
      `SELECT event_id, type, product_id, value, url, props, time FROM {events} WHERE visitor_id = '${visitor}' AND ${where} ORDER BY time, event_id`,
    );
  }

  test.skipIf(skip !== undefined)("a product page's JSON-LD reaches the warehouse as a product event", async () => {
    const product = { '@context': 'https://schema.org', '@type': 'Product', sku: 'TR-42', name: 'Trail shoe', offers: { price: '89.90', availability: 'https://schema.org/InStock' } };
    const { visitor } = await visit(shopPage('/p/tr-42', `<script type="application/ld+json">${JSON.stringify(product)}</script>`, ['jsonld']));
    const rows = await eventually(async () => {
      const found = await stored(visitor, "type = 'product'");
      return found.length > 0 ? found : undefined;
    }, 10_000, 'the product row');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.product_id).toBe('TR-42');
    expect(Number(rows[0]!.value)).toBe(89.9);
    expect(JSON.parse(rows[0]!.props)).toMatchObject({ name: 'Trail shoe', stock: 'in_stock' });
  });

  test.skipIf(skip !== undefined)('a GA4 purchase of more than 100 lines pushed to the dataLayer reaches the warehouse with its first 100 and items_cut', async () => {
    const items = Array.from({ length: 150 }, (_, n) => ({ item_id: 'sku-' + n, item_name: 'Screw ' + n, price: 0.5, quantity: 2 }));
    const purchase = { event: 'purchase', ecommerce: { transaction_id: 'A-150', value: 150, currency: 'EUR', items } };
    const { visitor } = await visit(shopPage('/thanks', `<script>window.dataLayer=[${JSON.stringify(purchase)}]</script>`, ['datalayer']));
    const rows = await eventually(async () => {
      const found = await stored(visitor, "type = 'purchase'");
      return found.length > 0 ? found : undefined;
    }, 10_000, 'the purchase row');
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.value)).toBe(150);
    const props = JSON.parse(rows[0]!.props) as { order: string; items: Array<{ id: string }>; items_cut: number };
    expect(props.order).toBe('A-150');
    expect(props.items.map((line) => line.id)).toEqual(items.slice(0, 100).map((line) => line.item_id));
    expect(props.items_cut).toBe(50);
  });

  test.skipIf(skip !== undefined)('under the shop’s origin, the visitor id lives in a server-set cookie and survives wiped script storage', async () => {
    const url = shopPage('/cookie');
    const { page, visitor } = await visit(url);
    const cookie = await eventually(async () => (await page.context().cookies()).find((each) => each.name === 'tw_vid'), 10_000, 'the tw_vid cookie');
    expect(cookie).toMatchObject({ value: visitor, path: '/', sameSite: 'Lax', httpOnly: false, secure: false });
    expect(cookie.expires * 1000 - Date.now()).toBeGreaterThan(399 * 24 * 3600 * 1000);

    // What Safari does after 7 days without a visit: script-written storage is gone.
    await page.evaluate(() => {
      localStorage.clear();
      sessionStorage.clear();
    });
    await page.reload();
    // The id now comes from the cookie alone: tw.js does not copy it back into localStorage.
    expect(await page.evaluate(() => localStorage.getItem('tw_v'))).toBeNull();
    const pages = await eventually(async () => {
      const found = await stored(visitor, "type = 'page'");
      return found.length === 2 ? found : undefined;
    }, 10_000, 'both page views under one visitor');
    expect(pages).toHaveLength(2);
  });

  test.skipIf(skip !== undefined)('exit intent shows the email pop-in; the address and the opt-in reach the warehouse with wording, page and time', async () => {
    const url = shopPage('/exit', '<button id="buy">Buy</button>', ['exit']);
    const { page, visitor } = await visit(url);
    const email = page.getByRole('textbox', { name: 'Your email' });
    // The gesture counts once tw-capture.js listens, which the page does not announce: repeat it until the pop-in shows.
    await until('the exit-intent pop-in shows', async () => {
      await page.mouse.move(300, 200);
      await page.mouse.move(300, -20, { steps: 5 });
      return email.isVisible();
    });
    await email.fill('ada@example.com');
    await page.getByRole('checkbox', { name: WORDING }).check();
    await page.getByRole('button', { name: 'Send me the code' }).click();
    await page.getByRole('status').waitFor({ state: 'visible' });

    const consent = await eventually(async () => (await stored(visitor, "type = 'consent'"))[0], 10_000, 'the consent row');
    expect(JSON.parse(consent.props)).toEqual({ email: true, wording: WORDING, page: url });
    expect(consent.url).toBe(url);
    const identify = await eventually(async () => (await stored(visitor, "type = 'identify'"))[0], 10_000, 'the identify row');
    expect(JSON.parse(identify.props)).toMatchObject({ email: 'ada@example.com', verified: false });
    expect((await stored(visitor, "type = 'exit_intent'")).length).toBe(1);
  });
});

/**
 * A suite of its own, with a fresh engine: the shared one above has closed WebSockets itself
 * (pages that left), and a port whose server closed connections first stays in TIME_WAIT for a
 * minute, where uWS cannot listen again. chdb also holds one data folder per process, so the
 * shared engine must be closed first.
 */
describe.each(variants)('an engine restart, $backends backends', ({ backends, skip }) => {
  let scenarios: string;
  let browser: Browser;

  beforeAll(async () => {
    if (skip !== undefined) return;
    scenarios = await mkdtemp(join(tmpdir(), 'tw-scenarios-'));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (scenarios) await rm(scenarios, { recursive: true, force: true });
  });

  test.skipIf(skip !== undefined)('events recorded while the engine is down arrive once it is back on the same port: none lost, none doubled', async () => {
    const first = await startTestEngine(backends, urls, { scenarios: { dir: scenarios } });
    const site = await SiteProxy.start({ prefix: '/t', enginePort: first.port });
    let second: TestEngine | undefined;
    try {
      const html = '<!doctype html><title>Shop</title>' + snippet(site.origin + '/t/tw.js', first.config.sites[0]!.key);
      const page = await browser.newPage();
      await page.goto(site.servePage('/outage', html));
      let visitor: string | null = null;
      await until('the page view is acked', async () => (visitor = await visitorOf(page)) !== null && (await unacked(page)).length === 0);

      site.disconnectEngine();
      await first.stop();
      await page.evaluate(() => {
        const tw = (window as unknown as { tw: (command: string, name: string) => void }).tw;
        for (let n = 0; n < 5; n++) tw('track', 'during-outage-' + n);
      });
      await until('the five events wait in sessionStorage', async () => (await unacked(page)).length === 5);

      // The same port, data folder, Redis prefix and database: the same engine, restarted.
      second = await startTestEngine(backends, urls, {
        server: { port: first.port },
        dataDir: first.dataDir,
        store: { prefix: first.config.store.prefix },
        warehouse: { database: first.config.warehouse.database },
        scenarios: { dir: scenarios },
      });
      expect(second.port).toBe(first.port);
      site.reconnectEngine();

      await until('the five events are acked', async () => (await unacked(page)).length === 0, 25_000);
      const back = second;
      const rows = await eventually(async () => {
        await back.sink.flush();
        const found = await back.warehouse.query<StoredEvent>(`SELECT event_id, type, props, time FROM {events} WHERE visitor_id = '${visitor!}' ORDER BY time, event_id`);
        return found.length >= 6 ? found : undefined;
      }, 10_000, 'the six rows');
      expect(rows.map((row) => row.type)).toEqual(['page', 'track', 'track', 'track', 'track', 'track']);
      expect(rows.slice(1).map((row) => (JSON.parse(row.props) as { name: string }).name)).toEqual([0, 1, 2, 3, 4].map((n) => 'during-outage-' + n));
      expect(new Set(rows.map((row) => row.event_id)).size).toBe(6);
    } finally {
      await site.close();
      await second?.close();
      await first.close();
    }
  }, 60_000);
});
