import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scenarioKpis } from '../../engine/warehouse/queries/index.js';
import { SocketClient } from '../support/socket-client.js';
import { eventually, backendVariants, startTestEngineWithScenarios, type TestEngine } from '../support/test-engine.js';

const SCENARIOS = {
  'product-popin.yaml': 'id: product-popin\nwhen: { count: { event: product, atLeast: 1, within: 1s } }\nthen: { popin: { title: In stock } }\n',
  'cart-popin.yaml': 'id: cart-popin\nwhen: { count: { event: cart_add, atLeast: 1, within: 1s } }\nthen: { popin: { title: Free shipping today } }\n',
  'search-popin.yaml': 'id: search-popin\nwhen: { count: { event: search, atLeast: 1, within: 1s } }\nthen: { popin: { title: Need help? } }\n',
};

const HOUR = 3_600_000;

const { variants, urls } = await backendVariants();

describe.each(variants)('events the tracker resends late, read back from the warehouse, on $backends backends', ({ backends, skip }) => {
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

  /** Sends each event in a frame of its own, as a tracker's outbox resends them, and waits for its ack. */
  const send = async (visitor: string, events: Array<{ id: string; type: string; at: number; props: Record<string, unknown> }>) => {
    const client = await SocketClient.open(engine.url, 'demo', visitor);
    clients.push(client);
    for (const e of events) {
      client.send(JSON.stringify({ b: [{ i: e.id, t: e.type, ts: e.at, u: 'https://shop.example/p', p: e.props }] }));
      await client.acked([e.id]);
    }
    return client;
  };

  const triggerRow = (visitor: string) =>
    eventually(async () => {
      await engine.sink.flush();
      const rows = await engine.warehouse.query<{ event_id: string; time_ms: number | string }>(
        `SELECT event_id, time_ms FROM {triggers} WHERE visitor_id = '${visitor}'`,
      );
      return rows.length > 0 ? rows : undefined;
    }, 10_000, `the trigger row of ${visitor}`);

  test.skipIf(skip !== undefined)('a late event\'s trigger row carries when the engine fired it, not the event\'s time', async () => {
    const sent = Date.now();
    await send('late-ann', [{ id: 'late-ann-view', type: 'product', at: sent - 2 * HOUR, props: { id: 'mug' } }]);
    const [row] = await triggerRow('late-ann');
    expect(row!.event_id).toBe('late-ann-view');
    expect(Number(row!.time_ms)).toBeGreaterThanOrEqual(sent);
  });

  test.skipIf(skip !== undefined)('an order placed before a late event\'s pop-in went is not attributed to it', async () => {
    const sent = Date.now();
    const client = await send('late-bob', [{ id: 'late-bob-cart', type: 'cart_add', at: sent - 2 * HOUR, props: { id: 'mug', price: 12 } }]);
    await client.next((message) => message.k === 'pop');
    // Bought an hour before the pop-in went, and resent with the cart add by the same outbox.
    client.send(JSON.stringify({ b: [{ i: 'late-bob-order', t: 'purchase', ts: sent - HOUR, u: 'https://shop.example/thanks', p: { order: 'B-1', value: 30 } }] }));
    await client.acked(['late-bob-order']);
    await engine.sink.flush();
    const [kpis] = (await scenarioKpis(engine.warehouse)).filter((row) => row.scenario_id === 'cart-popin');
    expect(kpis).toMatchObject({ fired: 1, conversions: 0, revenue: 0 });
  });

  test.skipIf(skip !== undefined)('an order placed after a late event\'s pop-in went is attributed to it', async () => {
    const client = await send('late-cy', [{ id: 'late-cy-search', type: 'search', at: Date.now() - 2 * HOUR, props: { q: 'mug' } }]);
    await client.next((message) => message.k === 'pop');
    client.send(JSON.stringify({ b: [{ i: 'late-cy-order', t: 'purchase', ts: Date.now(), u: 'https://shop.example/thanks', p: { order: 'C-1', value: 40 } }] }));
    await client.acked(['late-cy-order']);
    await engine.sink.flush();
    const [kpis] = (await scenarioKpis(engine.warehouse)).filter((row) => row.scenario_id === 'search-popin');
    expect(kpis).toMatchObject({ fired: 1, conversions: 1, revenue: 40 });
  });
});
