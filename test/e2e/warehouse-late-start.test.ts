import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ownClickHouse, type OwnClickHouse } from '../contract/warehouse.own-server.js';
import { SocketClient } from '../support/socket-client.js';
import { eventually, startTestEngine, type TestEngine } from '../support/test-engine.js';

/**
 * A warehouse outage must not take the real-time product down with it: an engine whose
 * ClickHouse server is not up yet starts, serves pop-ins, keeps every row, and creates the
 * schema and stores those rows once the server answers. Only a server that cannot be reached is
 * waited out; one that refuses the engine's credentials stops the start. chdb runs inside the
 * engine's process and cannot be unreachable: this test has no chdb variant.
 */
const server = await ownClickHouse(undefined, { started: false });
const skip = 'skip' in server ? server.skip : undefined;

afterAll(async () => {
  if (!('skip' in server)) await server.stop();
});

const VISITORS = 4;
const FRAMES = 5;
const EVENTS_PER_FRAME = 4;

describe.skipIf(skip !== undefined)(`an engine started before its ClickHouse server${skip ? ` (${skip})` : ''}`, () => {
  let clickhouse: OwnClickHouse;
  let engine: TestEngine;
  const sent: string[] = [];

  beforeAll(async () => {
    clickhouse = server as OwnClickHouse;
    engine = await startTestEngine('embedded', undefined, {
      warehouse: { clickhouseUrl: clickhouse.url, database: 'tw_late', batchSize: 10, flushInterval: 50, spillAfterFailures: 2 },
      // The outage is on purpose: its warnings would only hide the test's output.
      log: { level: 'fatal' },
    });
  }, 30_000);

  afterAll(async () => {
    await engine?.close();
  });

  test('acknowledges events and shows a pop-in while the server is down', async () => {
    const clients = await Promise.all(Array.from({ length: VISITORS }, (_, i) => SocketClient.open(engine.url, 'demo', `late-${i}`)));
    const acks: Array<Promise<void>> = [];
    for (let frame = 0; frame < FRAMES; frame++) {
      clients.forEach((client, visitor) => {
        const events = Array.from({ length: EVENTS_PER_FRAME }, (_, n) => {
          const id = `f${frame}-n${n}`;
          sent.push(`late-${visitor}/${id}`);
          return { i: id, t: 'product', ts: Date.now(), u: 'https://shop.example/p/1', p: { id: 'sku-1', name: 'Mug', price: 12 } };
        });
        client.send(JSON.stringify({ b: events }));
        acks.push(client.acked(events.map((event) => event.i), 10_000));
      });
    }
    await Promise.all(acks);
    const popin = await clients[0]!.next((message) => message.k === 'pop');
    expect(popin).toMatchObject({ k: 'pop' });
    for (const client of clients) client.close();
  });

  test('/healthz answers 200, serving, with the warehouse degraded and why', async () => {
    const response = await fetch(`${engine.url}/healthz`);
    expect(response.status).toBe(200);
    const health = (await response.json()) as { ok: boolean; degraded: string[]; store: { state: string }; warehouse: { state: string; available: boolean } };
    expect(health).toMatchObject({ ok: true, degraded: ['warehouse'], store: { state: 'ok' }, warehouse: { available: false } });
    expect(health.warehouse.state).toMatch(/waiting for ClickHouse at http:\/\/127\.0\.0\.1:\d+ since it started.*ECONNREFUSED/);
  });

  test('the warehouse-available metric is 0', async () => {
    const text = await (await fetch(`${engine.url}/metrics`)).text();
    expect(text).toMatch(/^tripwire_warehouse_available 0$/m);
  });

  test('an analyst query answers 503 TW_WAREHOUSE_UNAVAILABLE', async () => {
    const response = await fetch(`${engine.url}/api/queries/funnel`, { headers: { authorization: `Bearer ${engine.adminToken}` } });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'TW_WAREHOUSE_UNAVAILABLE' } });
  });

  test('once the server is up, the schema is created and every row sent meanwhile is stored exactly once', async () => {
    await clickhouse.restart();
    await eventually(async () => {
      const response = await fetch(`${engine.url}/healthz`);
      const health = (await response.json()) as { warehouse: { available: boolean } };
      return health.warehouse.available ? true : undefined;
    }, 30_000, 'the engine to connect and migrate');
    const counted = await eventually(async () => {
      const [row] = await engine.warehouse.query<{ rows: number; unique_events: number }>(
        "SELECT count() AS rows, uniqExact(visitor_id, event_id) AS unique_events FROM {events} WHERE visitor_id LIKE 'late-%'",
      );
      return row !== undefined && row.rows >= sent.length ? row : undefined;
    }, 40_000, 'the rows sent during the outage');
    expect(counted).toEqual({ rows: sent.length, unique_events: sent.length });
    const health = await (await fetch(`${engine.url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, degraded: [], warehouse: { available: true, state: 'ok' } });
    expect(await (await fetch(`${engine.url}/metrics`)).text()).toMatch(/^tripwire_warehouse_available 1$/m);
  }, 90_000);

  test('an engine whose credentials the server refuses does not start, and says so', async () => {
    const refused = new URL(clickhouse.url);
    refused.username = 'nobody';
    refused.password = 'wrong';
    await expect(
      startTestEngine('embedded', undefined, { warehouse: { clickhouseUrl: refused.toString(), database: 'tw_late' }, log: { level: 'fatal' } }),
    ).rejects.toMatchObject({ code: 'TW_CONFIG_INVALID', message: expect.stringMatching(/refused the connection check .*nobody/) });
  });
});
