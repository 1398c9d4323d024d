import { TripwireError, isTripwireError } from '../../errors.js';
import { capabilitiesOf } from './capabilities.js';
import type { Migration } from './migrations.js';
import { MIGRATIONS } from './migrations.js';
import { sqlNumber, sqlString } from './sql-literal.js';
import type { TableNames } from './table-names.js';

/**
 * How the migrator talks to a backend. Implementations throw TripwireError:
 * TW_WAREHOUSE_UNAVAILABLE when the server cannot be reached, TW_WAREHOUSE_SCHEMA when it
 * rejects a statement.
 */
export interface SchemaExecutor {
  readonly version: string;
  execute(sql: string): Promise<void>;
  select<Row>(sql: string): Promise<Row[]>;
}

export interface AppliedMigration {
  id: number;
  description: string;
}

function migrationsTable(names: TableNames): string {
  return `CREATE TABLE IF NOT EXISTS ${names.migrations} (
  id UInt32,
  description String,
  applied_at DateTime('UTC'),
  server_version String
) ENGINE = MergeTree ORDER BY id`;
}

/** Migrations recorded as applied, in id order. */
export async function appliedMigrations(executor: SchemaExecutor, names: TableNames): Promise<AppliedMigration[]> {
  // Two engines migrating at once may both record a migration, hence the grouping.
  return executor.select<AppliedMigration>(
    `SELECT id, any(description) AS description FROM ${names.migrations} GROUP BY id ORDER BY id`,
  );
}

function withContext(error: unknown, migration: Migration, version: string): unknown {
  if (!isTripwireError(error) || error.code !== 'TW_WAREHOUSE_SCHEMA') return error;
  return new TripwireError(
    'TW_WAREHOUSE_SCHEMA',
    `Migration ${migration.id} (${migration.description}) failed on ClickHouse ${version}: ${error.message}`,
    { cause: error },
  );
}

async function apply(executor: SchemaExecutor, names: TableNames, migration: Migration): Promise<void> {
  const capabilities = capabilitiesOf(executor.version);
  try {
    for (const statement of migration.ddl({ names, capabilities })) await executor.execute(statement);
    await executor.execute(
      `INSERT INTO ${names.migrations} (id, description, applied_at, server_version) VALUES ` +
        `(${sqlNumber(migration.id)}, ${sqlString(migration.description)}, now(), ${sqlString(executor.version)})`,
    );
  } catch (error) {
    throw withContext(error, migration, executor.version);
  }
}

/**
 * Creates the database and brings its tables up to the latest migration. Idempotent: running
 * it on an up-to-date database only reads `tw_migrations`.
 */
export async function migrateSchema(
  executor: SchemaExecutor,
  names: TableNames,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<AppliedMigration[]> {
  await executor.execute(`CREATE DATABASE IF NOT EXISTS ${names.database}`);
  await executor.execute(migrationsTable(names));
  const applied = new Set((await appliedMigrations(executor, names)).map((row) => Number(row.id)));
  const pending = [...migrations].sort((a, b) => a.id - b.id).filter((migration) => !applied.has(migration.id));
  for (const migration of pending) await apply(executor, names, migration);
  return pending.map(({ id, description }) => ({ id, description }));
}
