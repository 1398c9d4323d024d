import { TripwireError } from '../../errors.js';
import { WAREHOUSE_TABLES } from '../rows.js';
import { capabilitiesOf } from './capabilities.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { sqlIdentifier, sqlString } from './sql-literal.js';
import { DEFAULT_DATABASE, type TableNames } from './table-names.js';

export interface ClusterDdlOptions {
  /** Cluster name, as in the servers' remote_servers. */
  cluster: string;
  database?: string;
  /** Server version the DDL is for (types, settings). Default a current release. */
  version?: string;
  /** ZooKeeper path of each replicated table; `{table}` is replaced here, `{shard}` by each server's macro. */
  zooKeeperPath?: string;
  /** Replica name; by default each server's `{replica}` macro. */
  replica?: string;
  /** Adds `ON CLUSTER`, so one statement creates the table on every server (needs distributed DDL). Default true. */
  onCluster?: boolean;
}

/** How rows are spread over shards: one visitor's events, triggers, deliveries and orders live on one shard. */
export const SHARDING_KEY = 'cityHash64(visitor_id)';

const CREATE_TABLE = /^CREATE TABLE IF NOT EXISTS (\S+) \(/;
const LOCAL_ENGINE = /\) ENGINE = MergeTree /;
// Replicated tables deduplicate inserts through ZooKeeper: the non-replicated window has no use there.
const NON_REPLICATED_SETTINGS = / SETTINGS non_replicated_deduplication_window = \d+/;

/**
 * The schema for a ClickHouse cluster, generated from the same migrations as a single server:
 * per table a `<table>_local` ReplicatedMergeTree on every server and a `<table>` Distributed
 * table over them, sharded by visitor, so analysts' queries read the same names everywhere.
 */
export function clusterDdl(options: ClusterDdlOptions, migrations: readonly Migration[] = MIGRATIONS): string[] {
  const database = sqlIdentifier(options.database ?? DEFAULT_DATABASE);
  const cluster = sqlIdentifier(options.cluster);
  const onCluster = options.onCluster === false ? '' : ` ON CLUSTER ${cluster}`;
  const capabilities = capabilitiesOf(options.version ?? '24.8');
  const local: TableNames = {
    database,
    events: `${database}.events_local`,
    triggers: `${database}.triggers_local`,
    deliveries: `${database}.deliveries_local`,
    conversions: `${database}.conversions_local`,
    migrations: `${database}.tw_migrations`,
  };
  const zooKeeperPath = options.zooKeeperPath ?? `/clickhouse/tables/{shard}/${database}/{table}`;
  const replica = options.replica ?? '{replica}';
  const statements = [`CREATE DATABASE IF NOT EXISTS ${database}${onCluster}`];
  for (const migration of [...migrations].sort((a, b) => a.id - b.id)) {
    for (const statement of migration.ddl({ names: local, capabilities })) {
      const table = CREATE_TABLE.exec(statement)?.[1];
      if (table === undefined || !LOCAL_ENGINE.test(statement)) {
        throw new TripwireError('TW_WAREHOUSE_SCHEMA', `Migration ${migration.id} has a statement the cluster DDL cannot translate yet: ${statement.slice(0, 80)}`);
      }
      const name = table.slice(database.length + 1);
      const engine = `ReplicatedMergeTree(${sqlString(zooKeeperPath.replace('{table}', name))}, ${sqlString(replica)})`;
      statements.push(
        statement
          .replace(CREATE_TABLE, `CREATE TABLE IF NOT EXISTS ${table}${onCluster} (`)
          .replace(LOCAL_ENGINE, `) ENGINE = ${engine} `)
          .replace(NON_REPLICATED_SETTINGS, ''),
      );
    }
  }
  for (const table of WAREHOUSE_TABLES) {
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${database}.${table}${onCluster} AS ${database}.${table}_local ENGINE = Distributed(${cluster}, ${database}, ${table}_local, ${SHARDING_KEY})`,
    );
  }
  return statements;
}
