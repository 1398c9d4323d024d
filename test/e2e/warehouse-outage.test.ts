import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ownClickHouse, type OwnClickHouse } from '../contract/warehouse.own-server.js';
import { SocketClient } from '../support/socket-client.js';
import { eventually, startTestEngine, type TestEngine } from '../support/test-engine.js';

/**
 * The warehouse's promise, end to end: a stream of events through a whole engine while the real
 * ClickHouse server (18.16 in CI) is killed with SIGKILL and started again. Every acknowledged
 * event must be stored exactly once. chdb runs inside the engine's process, so it cannot go
 * away on its own: this test has no chdb variant.
 */
const server = await ownClickHouse();
const skip = 'skip' in server ? server.skip : undefined;

afterAll(async () => {
  if (!('skip' in server)) await server.stop();
});

const VISITORS = 12;
const FRAMES_PER_PHASE = 10;
const EVENTS_PER_FRAME = 5;

describe.skipIf(skip !== undefined)(`an engine writing to a ClickHouse server that is killed mid-stream${skip ? ` (${skip})` : ''}`, () => {
  let clickhouse: OwnClickHouse;
  let engine: TestEngine;
  let clients: SocketClient[];
  const sent: string[] = [];

  beforeAll(async () => {
    clickhouse = server as OwnClickHouse;
    engine = await startTestEngine('embedded', undefined, {
      warehouse: { clickhouseUrl: clickhouse.url, database: 'tw_outage', batchSize: 40, flushInterval: 50, spillAfterFailures: 2 },
      // The outage is on purpose: its error logs would only hide the test's output.
      log: { level: 'fatal' },
    });
    clients = await Promise.all(Array.from({ length: VISITORS }, (_, i) => SocketClient.open(engine.url, 'demo', `visitor-${i}`)));
  });

  afterAll(async () => {
    for (const client of clients ?? []) client.close();
    await engine?.close();
  });

  /** Sends a phase of frames from every visitor and waits for every ack; the last frame of a visitor's last phase is a purchase. */
  async function streamPhase(phase: number, purchase: boolean): Promise<void> {
    const acks: Array<Promise<unknown>> = [];
    for (let frame = 0; frame < FRAMES_PER_PHASE; frame++) {
      clients.forEach((client, visitor) => {
        const events = Array.from({ length: EVENTS_PER_FRAME }, (_, n) => {
          const id = `p${phase}-f${frame}-n${n}`;
          sent.push(`visitor-${visitor}/${id}`);
          const last = purchase && frame === FRAMES_PER_PHASE - 1 && n === EVENTS_PER_FRAME - 1;
          return last
            ? { i: id, t: 'purchase', ts: Date.now(), u: 'https://shop.example/order', p: { order: `order-${visitor}`, value: 10 + visitor } }
            : { i: id, t: 'page', ts: Date.now(), u: `https://shop.example/page/${frame}` };
        });
        const ids = events.map((event) => event.i);
        client.send(JSON.stringify({ b: events }));
        acks.push(client.acked(ids, 15_000));
      });
    }
    await Promise.all(acks);
  }

  const spillFiles = async (): Promise<string[]> => readdir(join(engine.dataDir, 'spill')).catch(() => []);

  test('every event acknowledged before, during and after the outage is stored exactly once', async () => {
    await streamPhase(1, false);
    await eventually(async () => ((await countEvents()).rows > 0 ? true : undefined), 10_000, 'the first rows in ClickHouse');

    await clickhouse.kill();
    await streamPhase(2, false);
    const spilled = await eventually(async () => ((await spillFiles()).length > 0 ? spillFiles() : undefined), 15_000, 'batches spilled to disk');
    expect(spilled.length).toBeGreaterThan(0);

    await clickhouse.restart();
    await streamPhase(3, true);
    await eventually(async () => {
      await engine.sink.flush();
      return true;
    }, 30_000, 'the sink to replay and flush every batch');

    const stored = await countEvents();
    expect(stored.rows).toBe(sent.length);
    expect(stored.distinct).toBe(sent.length);
    const conversions = await engine.warehouse.query<{ n: number; orders: number }>('SELECT count() AS n, uniqExact(order_id) AS orders FROM {conversions}');
    expect(conversions).toEqual([{ n: VISITORS, orders: VISITORS }]);
    expect(await spillFiles()).toEqual([]);
  });

  async function countEvents(): Promise<{ rows: number; distinct: number }> {
    const [row] = await engine.warehouse.query<{ rows: number; unique_events: number }>(
      'SELECT count() AS rows, uniqExact(visitor_id, event_id) AS unique_events FROM {events}',
    );
    return { rows: row?.rows ?? 0, distinct: row?.unique_events ?? 0 };
  }
});
