import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { conversionRow, eventRow, triggerRow } from '../contract/warehouse.contract.js';
import { backendVariants, startTestEngine, type TestEngine } from '../support/test-engine.js';

const { variants, urls } = await backendVariants();

const TOKEN = 'api-test-token-0123456789';
const D = Date.UTC(2025, 4, 5);

describe.each(variants)('the queries API on $backends backends', ({ backends, skip }) => {
  let engine: TestEngine;
  const get = (path: string, token: string | null = TOKEN) =>
    fetch(`${engine.url}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    if (skip !== undefined) return;
    engine = await startTestEngine(backends, urls, { admin: { token: TOKEN } });
    await engine.warehouse.insert('triggers', [
      triggerRow({ site: 'demo', visitor_id: 'a', scenario_id: 'welcome', variant: 'A', time: D + 1000 }),
      triggerRow({ site: 'demo', visitor_id: 'b', scenario_id: 'welcome', variant: 'control', status: 'suppressed', reason: 'control', time: D + 1000 }),
    ]);
    await engine.warehouse.insert('conversions', [conversionRow({ site: 'demo', visitor_id: 'a', order_id: 'o-1', value: 42.5, time: D + 60_000 })]);
    await engine.warehouse.insert('events', [
      ...['q', 'u'].flatMap((visitor) => [
        eventRow({ site: 'demo', visitor_id: visitor, type: 'identify', props: `{"verified":true,"email":"${visitor}@example.com"}`, time: D }),
        eventRow({ site: 'demo', visitor_id: visitor, type: 'consent', props: '{"email":true}', time: D }),
        eventRow({ site: 'demo', visitor_id: visitor, type: 'cart_add', product_id: 'kettle', value: 30, time: D + 1000 }),
      ]),
    ]);
    await engine.mailer.suppressions.add({ site: 'demo', email: 'u@example.com', reason: 'unsubscribe', at: D + 2000, detail: 'one-click' });
  });

  afterAll(async () => {
    await engine?.close();
  });

  test.skipIf(skip !== undefined)('refuses a request without the admin token', async () => {
    const response = await get('/api/queries/scenario-kpis', null);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'TW_UNAUTHORIZED' } });
    expect((await get('/api/queries', 'wrong-token-wrong-token')).status).toBe(401);
  });

  test.skipIf(skip !== undefined)('lists the shipped queries with their parameters', async () => {
    const body = (await (await get('/api/queries')).json()) as { queries: Array<{ name: string }> };
    expect(body.queries.map((query) => query.name)).toEqual(
      expect.arrayContaining(['scenario-kpis', 'funnel', 'audience-category-viewers', 'audience-cart-abandoners']),
    );
  });

  test.skipIf(skip !== undefined)('answers scenario KPIs over a date range as JSON', async () => {
    const response = await get('/api/queries/scenario-kpis?from=2025-05-05&to=2025-05-06');
    expect(response.status).toBe(200);
    const { rows } = (await response.json()) as { rows: Array<Record<string, unknown>> };
    expect(rows.map((row) => [row.variant, row.conversions, row.revenue, row.uplift])).toEqual([
      ['A', 1, 42.5, 1],
      ['control', 0, 0, 0],
    ]);
  });

  test.skipIf(skip !== undefined)('exports an audience as a CSV download, without the addresses on the engine\'s suppression list', async () => {
    const response = await get('/api/queries/audience-cart-abandoners?as-of=2025-05-06&days=7&format=csv');
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toContain('audience-cart-abandoners.csv');
    expect(await response.text()).toBe(
      'site,visitor_id,email,cart_adds,products,cart_value,last_cart_at\r\ndemo,q,q@example.com,1,kettle,30,2025-05-05 00:00:01\r\n',
    );
  });

  test.skipIf(skip !== undefined)('answers 400 with TW_QUERY_INVALID for a bad or unknown parameter', async () => {
    const bad = await get('/api/queries/funnel?from=yesterday');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'TW_QUERY_INVALID' } });
    expect((await get('/api/queries/audience-category-viewers?categroy=teapots')).status).toBe(400);
    expect((await get('/api/queries/no-such-query')).status).toBe(400);
  });

  test.skipIf(skip !== undefined)('answers 400 with TW_QUERY_INVALID naming the parameter for a time out of the stored range', async () => {
    const huge = await get('/api/queries/scenario-kpis?from=100000000000000000000000');
    expect(huge.status).toBe(400);
    expect(await huge.json()).toMatchObject({ error: { code: 'TW_QUERY_INVALID', message: expect.stringMatching(/^from .*1970-01-01.*2106-02-07/) } });
    expect((await get('/api/queries/audience-cart-abandoners?as-of=1969-12-31')).status).toBe(400);
  });
});

describe.skipIf(urls === undefined)('tripwire query, from the command line', () => {
  const run = promisify(execFile);
  test('prints a query as CSV from the configured ClickHouse', async () => {
    const engine = await startTestEngine('embedded', undefined, { warehouse: { clickhouseUrl: urls!.clickhouseUrl, database: 'tw_cli_test' }, log: { level: 'fatal' } });
    await engine.warehouse.insert('events', [eventRow({ type: 'page', time: D }), eventRow({ type: 'page', visitor_id: 'v2', time: D + 1 })]);
    await engine.close();
    const { stdout } = await run('npx', ['tsx', 'engine/cli/main.ts', 'query', 'events-per-type', '--from', '2025-05-05', '--format', 'csv'], {
      env: { ...process.env, CLICKHOUSE_URL: urls!.clickhouseUrl, CLICKHOUSE_DATABASE: 'tw_cli_test', TW_CONFIG: '' },
    });
    expect(stdout).toBe('day,type,events,visitors\r\n2025-05-05,page,2,2\r\n');
  });
});
