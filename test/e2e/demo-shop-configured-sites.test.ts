/*
 * The demo shop's sign-in signs any email address it is given with its site's secret, and its
 * catalogue is seeded into its site's. That is harmless for the built-in demo site only: an engine
 * serving configured sites has no demo shop, and refuses to start when asked for one.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadCatalogue } from '../../engine/demo-shop/index.js';
import { tripwireCli } from '../support/tripwire-cli.js';
import { backendVariants, startTestEngine, type TestEngine } from '../support/test-engine.js';

const { variants, urls } = await backendVariants();

const SHOP = { key: 'shop', secret: '0123456789abcdef0123', url: 'https://shop.example' };
const DEMO_PRODUCTS = (await loadCatalogue('deploy/demo/catalogue.json')).products.map((product) => product.id);

describe.each(variants)('an engine serving a configured site, on $backends backends', ({ backends, skip }) => {
  let engine: TestEngine;

  beforeAll(async () => {
    if (skip !== undefined) return;
    engine = await startTestEngine(backends, urls, { sites: [SHOP] });
  });

  afterAll(async () => {
    await engine?.close();
  });

  test.skipIf(skip !== undefined)('serves no demo shop pages, and does not send its home page there', async () => {
    const shopPage = await fetch(`${engine.url}/shop/`);
    expect([shopPage.status, shopPage.headers.get('content-type')]).toEqual([404, expect.stringContaining('json')]);
    expect(await shopPage.json()).toMatchObject({ c: 'TW_NOT_FOUND' });
    const home = await fetch(`${engine.url}/`, { redirect: 'manual' });
    expect(home.status).toBe(404);
  });

  test.skipIf(skip !== undefined)("has no demo sign-in that would sign any email address with the site's secret", async () => {
    const login = await fetch(`${engine.url}/shop/api/login`, { method: 'POST', body: JSON.stringify({ email: 'victim@example.com' }) });
    const answer = (await login.json()) as Record<string, unknown>;
    expect([login.status, answer.c, answer.hmac]).toEqual([404, 'TW_NOT_FOUND', undefined]);
  });

  test.skipIf(skip !== undefined)("adds none of the demo products to the site's catalogue", async () => {
    expect(DEMO_PRODUCTS.length).toBeGreaterThan(0);
    for (const id of DEMO_PRODUCTS) {
      const response = await fetch(`${engine.url}/catalogue/${SHOP.key}/products/${id}`, { headers: { Authorization: `Bearer ${SHOP.secret}` } });
      expect(response.status, id).toBe(404);
    }
  });
});

describe('tripwire start', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tripwire-demo-sites-'));
    await writeFile(join(dir, 'tripwire.yaml'), `sites:\n  - key: ${SHOP.key}\n    secret: ${SHOP.secret}\n    url: ${SHOP.url}\n`);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('asked for the demo shop next to configured sites, refuses to start with TW_CONFIG_INVALID, saying why and what to do', async () => {
    const outcome = await tripwireCli(['start'], { TW_CONFIG: join(dir, 'tripwire.yaml'), TW_DEMO: 'true', PORT: '0', TW_DATA_DIR: join(dir, 'data') }, 30_000);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/TW_CONFIG_INVALID: .*demo\.enabled \(environment variable TW_DEMO\): .*sign any email address/s);
    expect(outcome.stderr).toMatch(/remove demo\.enabled/);
  });
});
