import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, describe, expect, test } from 'vitest';
import { WAREHOUSE_TABLES, clusterDdl, sqlString } from '../../engine/warehouse/index.js';
import { ChdbWarehouse } from '../../engine/warehouse/chdb/index.js';
import { ownClickHouse } from './warehouse.own-server.js';

/**
 * The cluster DDL (docs/analysts.md, "Scale") checked on real servers. Neither has ZooKeeper, so:
 * - chdb (current ClickHouse) parses every statement exactly as shipped, ON CLUSTER included,
 *   with formatQuery();
 * - ClickHouse 18.16 runs it, in a server of this file's own with `{shard}`/`{replica}` macros and
 *   a `tripwire` cluster configured: without ON CLUSTER (that needs distributed DDL), and with
 *   ATTACH for the replicated tables (CREATE needs ZooKeeper; ATTACH makes them read-only
 *   replicas instead), so the engines, macros, keys and Distributed tables are all checked.
 */
const CLUSTER_CONFIG = `<yandex>
  <macros><shard>01</shard><replica>r1</replica></macros>
  <remote_servers><tripwire><shard><replica><host>127.0.0.1</host><port>9000</port></replica></shard></tripwire></remote_servers>
</yandex>`;

const server = await ownClickHouse(CLUSTER_CONFIG);
const folder = mkdtempSync(join(tmpdir(), 'tw-chdb-cluster-'));

afterAll(async () => {
  if (!('skip' in server)) await server.stop();
  rmSync(folder, { recursive: true, force: true });
});

describe('cluster DDL generated from the migrations', () => {
  test('makes a replicated local table and a Distributed table sharded by visitor for each table', () => {
    const ddl = clusterDdl({ cluster: 'tripwire' });
    for (const table of WAREHOUSE_TABLES) {
      expect(ddl).toContainEqual(expect.stringMatching(new RegExp(`^CREATE TABLE IF NOT EXISTS tripwire\\.${table}_local ON CLUSTER tripwire \\(`)));
      expect(ddl).toContainEqual(
        `CREATE TABLE IF NOT EXISTS tripwire.${table} ON CLUSTER tripwire AS tripwire.${table}_local ENGINE = Distributed(tripwire, tripwire, ${table}_local, cityHash64(visitor_id))`,
      );
    }
    expect(ddl.join('\n')).not.toMatch(/non_replicated_deduplication_window|ENGINE = MergeTree/);
  });

  test('every statement parses on current ClickHouse (chdb), exactly as shipped', async () => {
    const chdb = await ChdbWarehouse.open(folder, { database: 'tw_cluster_parse' });
    try {
      for (const statement of clusterDdl({ cluster: 'tripwire', version: chdb.version })) {
        const [row] = await chdb.query<{ formatted: string }>(`SELECT formatQuery(${sqlString(statement)}) AS formatted`);
        expect(row?.formatted).toMatch(/^CREATE (DATABASE|TABLE)/);
      }
    } finally {
      await chdb.close();
    }
  });

  test.skipIf('skip' in server)(`creates the tables on ClickHouse 18.16 with macros and a cluster configured${'skip' in server ? ` (${server.skip})` : ''}`, async () => {
    const url = (server as { url: string }).url;
    const client = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
    try {
      const [{ version } = { version: '' }] = await (await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' })).json<{ version: string }>();
      for (const statement of clusterDdl({ cluster: 'tripwire', database: 'tw_cluster', version, onCluster: false })) {
        await client.command({ query: statement.replace(/^CREATE TABLE IF NOT EXISTS (\S+_local) \(/, 'ATTACH TABLE $1 (') });
      }
      const tables = await (
        await client.query({ query: "SELECT name, engine FROM system.tables WHERE database = 'tw_cluster' ORDER BY name", format: 'JSONEachRow' })
      ).json<{ name: string; engine: string }>();
      expect(tables).toEqual(
        [...WAREHOUSE_TABLES]
          .sort()
          .flatMap((table) => [
            { name: table, engine: 'Distributed' },
            { name: `${table}_local`, engine: 'ReplicatedMergeTree' },
          ]),
      );
    } finally {
      await client.close();
    }
  });
});
