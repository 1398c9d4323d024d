/*
 * /healthz and the metrics say the same of the warehouse: one that answers a probe but whose
 * inserts fail (a table dropped by hand, a chdb that refuses every INSERT) is not "ok". The
 * engine still serves, rows waiting in memory or spill/, so the answer stays 200 with `ok: true`
 * and lists the warehouse under `degraded` with the insert's error, as for a warehouse down.
 */
import { afterEach, expect, test } from 'vitest';
import { SocketClient } from '../support/socket-client.js';
import { eventually, startTestEngine, type TestEngine } from '../support/test-engine.js';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close().catch(() => undefined);
  engine = undefined;
});

interface Health {
  ok: boolean;
  degraded: string[];
  warehouse: { state: string; available: boolean };
}

test('/healthz lists the warehouse as degraded, with the reason, while its inserts fail though it answers queries', async () => {
  engine = await startTestEngine('embedded', undefined, { warehouse: { flushInterval: 50, spillAfterFailures: 1 }, log: { level: 'fatal' } });
  await engine.warehouse.query('DROP TABLE {events}');
  const client = await SocketClient.open(engine.url, 'demo', 'health-visitor');
  client.send(JSON.stringify({ b: [{ i: 'health-event', t: 'page', ts: Date.now(), u: 'https://shop.example/' }] }));
  await client.acked(['health-event']);
  client.close();

  const metrics = () => fetch(`${engine!.url}/metrics`).then((response) => response.text());
  await eventually(async () => ((await metrics()).includes('tripwire_warehouse_available 0') ? true : undefined), 10_000, 'the sink to see its inserts fail');
  const response = await fetch(`${engine.url}/healthz`);
  const health = (await response.json()) as Health;

  expect(response.status).toBe(200);
  expect(health.ok).toBe(true);
  expect(health.degraded).toContain('warehouse');
  expect(health.warehouse.available).toBe(false);
  expect(health.warehouse.state).toMatch(/events/);
  expect(health.warehouse.state).toMatch(/UNKNOWN_TABLE|does not exist/);
}, 60_000);
