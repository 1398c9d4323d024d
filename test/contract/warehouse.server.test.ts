import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, describe, expect, test } from 'vitest';
import { ServerWarehouse } from '../../engine/warehouse/server/index.js';
import { clickhouseForTests } from '../support/clickhouse-server.js';
import { describeWarehouseContract, type WarehouseContractSetup } from './warehouse.contract.js';
import { describeShippedQueries } from './warehouse.queries.js';
import { describeStoredEvents } from './stored-events.contract.js';

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
