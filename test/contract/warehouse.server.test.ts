import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, describe, expect, test } from 'vitest';
import { ServerWarehouse } from '../../engine/warehouse/server/index.js';
import { clickhouseForTests } from '../support/clickhouse-server.js';
import { describeWarehouseContract, type WarehouseContractSetup } from './warehouse.contract.js';
import { describeShippedQueries } from './warehouse.queries.js';
import { describeStoredEvents } from './stored-events.contract.js';
import type { EventRow } from '../../engine/warehouse/index.js';
import { BatchingSink } from '../../engine/warehouse/index.js';
import { FlakyBackend, count, eventRow, eventually } from './warehouse.fixtures.js';

const server = await clickhouseForTests();
const url = 'url' in server ? server.url : '';

afterAll(async () => {
  if ('stop' in server) await server.stop();
});

const setup: WarehouseContractSetup = {
  skip: 'skip' in server ? server.skip : undefined,
  open: (database) => ServerWarehouse.connect(url, { database }),
  drop: async (database) => {
    const admin = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
    try {
      await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    } finally {
      await admin.close();
    }
  },
};

describeWarehouseContract('ClickHouse server', setup);
describeShippedQueries('ClickHouse server', setup);
describeStoredEvents('ClickHouse server', setup);

describe('ServerWarehouse.connect', () => {
  test('fails with TW_WAREHOUSE_UNAVAILABLE naming the url when nothing answers', async () => {
    const failure = ServerWarehouse.connect('http://127.0.0.1:1', { database: 'tripwire' });
    await expect(failure).rejects.toMatchObject({
      code: 'TW_WAREHOUSE_UNAVAILABLE',
      message: expect.stringContaining('http://127.0.0.1:1'),
    });
  });

  test.skipIf(setup.skip !== undefined)('fails with TW_CONFIG_INVALID when the server refuses the credentials: waiting would not mend them', async () => {
    const refused = new URL(url);
    refused.username = 'nobody';
    refused.password = 's3cret';
    const failure = ServerWarehouse.connect(refused.toString(), { database: 'tripwire' });
    await expect(failure).rejects.toMatchObject({ code: 'TW_CONFIG_INVALID', message: expect.stringMatching(/refused the connection check/) });
    await expect(failure).rejects.toMatchObject({ message: expect.not.stringContaining('s3cret') });
  });

  test('keeps credentials out of error messages', async () => {
    const failure = ServerWarehouse.connect('http://tripwire:s3cret@127.0.0.1:1', { database: 'tripwire' });
    await expect(failure).rejects.toMatchObject({ message: expect.not.stringContaining('s3cret') });
  });

  test('refuses a database name that would need quoting', async () => {
    await expect(ServerWarehouse.connect('http://127.0.0.1:1', { database: 'x; DROP' })).rejects.toMatchObject({
      code: 'TW_CONFIG_INVALID',
    });
  });
});

describe.skipIf(setup.skip !== undefined)('ServerWarehouse replays', () => {
  const WRITER = 'tw-00000000000000aa';
  const databases: string[] = [];
  afterAll(async () => {
    for (const database of databases) await setup.drop?.(database);
  });

  async function migratedAs(insertQueryPrefix?: string): Promise<ServerWarehouse> {
    const database = `tw_replay_${Math.random().toString(36).slice(2, 10)}`;
    databases.push(database);
    const backend = await ServerWarehouse.connect(url, { database, insertQueryPrefix });
    await backend.migrate();
    return backend;
  }

  /**
   * An insert of `row` into `into`'s events under `queryId` that the server runs for 2 s, as one
   * whose client timed out. An INSERT ... SELECT, so the test can make it slow; what a replay
   * reads (system.processes) lists an insert whatever its rows come from.
   */
  async function slowInsert(into: ServerWarehouse, row: EventRow, queryId: string): Promise<{ done: Promise<string> }> {
    const source = await migratedAs();
    await source.insert('events', [row]);
    const admin = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
    const done = admin
      .command({ query: `INSERT INTO ${into.names.events} SELECT * FROM ${source.names.events} WHERE sleep(2) = 0`, query_id: queryId })
      .then(
        () => 'stored',
        (error: Error) => error.message,
      );
    for (let tries = 0; tries < 100; tries++) {
      const running = await admin.query({ query: `SELECT count() AS n FROM system.processes WHERE query_id = '${queryId}'`, format: 'JSONEachRow' });
      if (Number((await running.json<{ n: number | string }>())[0]?.n) > 0) {
        return { done: done.finally(() => Promise.all([admin.close(), source.close()])) };
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`the slow insert ${queryId} never showed in system.processes`);
  }

  test('a replay waits while an insert of its table from an earlier attempt still runs, then stores its rows once', async () => {
    // The first attempt's client timed out (or its engine was killed) while the server went on.
    const backend = await migratedAs(WRITER);
    const row = eventRow({ value: 0 });
    const earlier = await slowInsert(backend, row, `${WRITER}-events-earlier`);
    await expect(backend.insert('events', [row], { id: 'batch-1', replay: true })).rejects.toMatchObject({
      code: 'TW_WAREHOUSE_UNAVAILABLE',
      message: expect.stringMatching(/An earlier insert of events rows is still running .*the replay waits for it to end/),
    });
    expect(await earlier.done).toBe('stored');
    await backend.insert('events', [row], { id: 'batch-1', replay: true });
    expect(await count(backend, 'events')).toBe(1);
    await backend.close();
  });

  test('a sink whose insert timed out while the server went on stores its rows once', async () => {
    // The lane's first attempt fails on the client's side (a timeout) while the server still runs
    // it: the next attempt is a replay, which must not read before that insert lands.
    const backend = await migratedAs(WRITER);
    const row = eventRow({ value: 0 });
    const flaky = new FlakyBackend(backend, 1);
    const errors: string[] = [];
    const sink = new BatchingSink(flaky, { batchSize: 1, retryInitialMs: 100, onError: (error) => void errors.push(error.message) });
    const earlier = await slowInsert(backend, row, `${WRITER}-events-timed-out`);
    sink.write('events', row);
    await eventually(async () => expect(sink.inserted.events).toBe(1), 15_000);
    await earlier.done;
    expect(await count(backend, 'events')).toBe(1);
    expect(errors.some((message) => /still running .*the replay waits/.test(message))).toBe(true);
    await sink.close();
    await backend.close();
  });

  test("a replay does not wait for another writer's inserts, nor for its other tables'", async () => {
    const backend = await migratedAs(WRITER);
    const other = await slowInsert(backend, eventRow({ visitor_id: 'other' }), 'tw-00000000000000bb-events-1');
    const ownTriggers = await slowInsert(backend, eventRow({ visitor_id: 'own' }), `${WRITER}-triggers-1`);
    await backend.insert('events', [eventRow()], { id: 'batch-1', replay: true });
    expect([await other.done, await ownTriggers.done]).toEqual(['stored', 'stored']);
    expect(await count(backend, 'events')).toBe(3);
    await backend.close();
  });

  test('refuses an insert query prefix other than tw- and 16 hex digits', async () => {
    await expect(ServerWarehouse.connect(url, { insertQueryPrefix: "tw-'x" })).rejects.toMatchObject({ code: 'TW_CONFIG_INVALID' });
  });
});

