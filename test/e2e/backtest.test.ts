import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runBacktest } from '../../engine/backtest/index.js';
import { loadScenarioFolder } from '../../engine/scenarios/index.js';
import { SocketClient, event } from '../support/socket-client.js';
import { eventually, backendVariants, startTestEngineWithScenarios, type TestEngine } from '../support/test-engine.js';

const SCENARIOS = {
  'viewed-3.yaml': 'id: viewed-3\npriority: 60\nwhen: { count: { event: product, per: id, atLeast: 3, within: 30s } }\nthen: { popin: { title: Still thinking? } }\n',
  'any-3.yaml': 'id: any-3\npriority: 40\nwhen: { count: { event: product, atLeast: 3, within: 30s } }\nthen: { popin: { title: Browsing? } }\n',
  'cart-left.yaml':
    'id: cart-left\nwhen: { absence: { after: { event: cart_add }, missing: { event: [checkout, purchase] }, within: 2s } }\nthen: { popin: { title: Your cart } }\n',
};

const { variants, urls } = await backendVariants();

describe.each(variants)('a backtest of the stored stream, on $backends backends', ({ backends, skip }) => {
  let engine: TestEngine;
  const clients: SocketClient[] = [];

  beforeAll(async () => {
    if (skip !== undefined) return;
    engine = await startTestEngineWithScenarios(backends, urls, SCENARIOS);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await engine?.close();
  });

  test.skipIf(skip !== undefined)('fires exactly what the live engine fired on the same stream', async () => {
    const started = Date.now() - 1000;
    const send = async (visitor: string, events: Array<Record<string, unknown>>) => {
      const client = await SocketClient.open(engine.url, 'demo', visitor);
      clients.push(client);
      for (const e of events) {
        client.send(JSON.stringify({ b: [e] }));
        await client.next((message) => message.k === 'ack');
      }
    };
    await send('ann', [1, 2, 3].map((n) => event(`ann-${n}`, 'product', { id: 'mug' })));
    await send('bob', [event('bob-1', 'product', { id: 'mug' }), event('bob-2', 'product', { id: 'cup' })]);
    await send('cy', [event('cy-1', 'cart_add', { id: 'mug', price: 12 })]);
    await send('dee', [event('dee-1', 'cart_add', { id: 'mug' }), event('dee-2', 'checkout', { value: 12 })]);

    type Row = { scenario_id: string; visitor_id: string; event_id: string; status: string; reason: string };
    const live = await eventually(async () => {
      await engine.sink.flush();
      const rows = await engine.warehouse.query<Row>('SELECT scenario_id, visitor_id, event_id, status, reason FROM {triggers}');
      return rows.some((row) => row.scenario_id === 'cart-left') ? rows : undefined;
    }, 10_000, 'the cart reminder');

    const report = await runBacktest({
      warehouse: engine.warehouse,
      scenarios: await loadScenarioFolder(engine.config.scenarios.dir),
      sites: [{ key: 'demo', name: 'Demo', url: 'http://localhost/shop', from: 'shop@example.test', requireVerifiedEmail: true }],
      caps: engine.config.policies.caps,
      range: { from: started, to: Date.now() },
    });
    const key = (row: Row) => `${row.scenario_id} ${row.visitor_id} ${row.event_id} ${row.status} ${row.reason}`;
    expect(report.triggers.map(key).sort()).toEqual(live.map(key).sort());
    expect(live.map(key).sort()).toEqual([
      'any-3 ann ann-3 suppressed priority',
      'cart-left cy cy-1 fired ',
      'viewed-3 ann ann-3 fired ',
    ]);
    expect(report.events).toBe(8);

    const day = new Date(started).toISOString().slice(0, 10);
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const body = JSON.stringify({ scenarios: SCENARIOS['viewed-3.yaml'], from: day, to: next, withLive: true });
    const refused = await fetch(`${engine.url}/api/backtest`, { method: 'POST', body });
    expect(refused.status).toBe(401);
    const answer = await fetch(`${engine.url}/api/backtest`, { method: 'POST', body, headers: { Authorization: `Bearer ${engine.adminToken}` } });
    expect(answer.status).toBe(200);
    const result = (await answer.json()) as { events: number; days: Array<{ scenario: string; fired: number; visitors: number }> };
    expect(result.days).toEqual([expect.objectContaining({ scenario: 'viewed-3', fired: 1, visitors: 1 })]);
  });

  test.skipIf(skip !== undefined)('the backtest API reads from and to as the query API does, and refuses times the warehouse cannot hold', async () => {
    const post = (from: string, to: string) =>
      fetch(`${engine.url}/api/backtest`, {
        method: 'POST',
        body: JSON.stringify({ scenarios: SCENARIOS['viewed-3.yaml'], from, to }),
        headers: { Authorization: `Bearer ${engine.adminToken}` },
      });
    const outOfRange = await post('2026-11-01', '9999-12-31');
    expect(outOfRange.status).toBe(400);
    expect(((await outOfRange.json()) as { error: unknown }).error).toMatchObject({ code: 'TW_QUERY_INVALID', message: expect.stringMatching(/^to "9999-12-31" is out of range; .*2106-02-07/) });
    const withOffset = await post('2026-11-01T00:00:00+01:00', '2026-11-02T00:00:00Z');
    expect(withOffset.status).toBe(200);
  });

  test.skipIf(skip !== undefined)('the backtest API explains a broken scenario', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const answer = await fetch(`${engine.url}/api/backtest`, {
      method: 'POST',
      body: JSON.stringify({ scenarios: 'id: x\nwhen: { count: { event: product, atLeast: many, within: 1h } }\nthen: { popin: { title: t } }\n', from: today, to: today }),
      headers: { Authorization: `Bearer ${engine.adminToken}` },
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'TW_SCENARIO_INVALID', message: expect.stringContaining('scenario-1.yaml:2') });
  });
});
