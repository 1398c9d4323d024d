import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, describe, expect, test } from 'vitest';
import { ServerWarehouse } from '../../engine/warehouse/server/index.js';
import { clickhouseForTests } from '../support/clickhouse-server.js';
import { describeWarehouseContract, type WarehouseContractSetup } from './warehouse.contract.js';
import { describeShippedQueries } from './warehouse.queries.js';
import { describeStoredEvents } from './stored-events.contract.js';
import type { EventRow } from '../../engine/warehouse/index.js';
import { count, eventRow } from './warehouse.fixtures.js';

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

  /** An insert of `row` into `into`'s events under `queryId`, which the server runs for 2 s first, as a slow one does. */
  async function slowInsert(into: string, row: EventRow, queryId: string): Promise<{ done: Promise<unknown> }> {
    const source = await migratedAs();
    await source.insert('events', [row]);
    const admin = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
    const done = admin
      .command({ query: `INSERT INTO ${into}.events SELECT * FROM ${source.names.events} WHERE sleep(2) = 0`, query_id: queryId })
      .then(
        () => 'stored',
        (error: Error) => error.message,
      )
      .finally(async () => {
        await admin.close();
        await source.close();
      });
    for (let tries = 0; tries < 50; tries++) {
      const running = await admin.query({ query: `SELECT count() AS n FROM system.processes WHERE query_id = '${queryId}'`, format: 'JSONEachRow' });
      if (Number((await running.json<{ n: number | string }>())[0]?.n) > 0) return { done };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`the slow insert ${queryId} never showed in system.processes`);
  }

  test('a replay stops an insert of its table still running from an earlier attempt, so its rows are stored once', async () => {
    // The client of the first attempt timed out (or its engine was killed) while the server went on.
    const backend = await migratedAs('tw-test-writer');
    const database = backend.names.database;
    const row = eventRow({ value: 0 });
    const earlier = await slowInsert(database, row, 'tw-test-writer-events-earlier');
    await backend.insert('events', [row], { id: 'batch-1', replay: true });
    await earlier.done;
    expect(await count(backend, 'events')).toBe(1);
    await backend.close();
  });

  test("a replay leaves another writer's inserts running", async () => {
    const backend = await migratedAs('tw-test-writer');
    const database = backend.names.database;
    const other = await slowInsert(database, eventRow({ visitor_id: 'other' }), 'tw-other-writer-events-1');
    await backend.insert('events', [eventRow()], { id: 'batch-1', replay: true });
    expect(await other.done).toBe('stored');
    expect(await count(backend, 'events')).toBe(2);
    await backend.close();
  });

  test('refuses an insert query prefix that would need quoting', async () => {
    await expect(ServerWarehouse.connect(url, { insertQueryPrefix: "tw-'x" })).rejects.toMatchObject({ code: 'TW_CONFIG_INVALID' });
  });
});
