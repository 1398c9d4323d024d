import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Session, drainPending } from 'chdb';
import { TripwireError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import type { WarehouseRows, WarehouseTable } from '../rows.js';
import type { InsertBatch, WarehouseBackend } from '../warehouse.js';
import { insertToken, rowsNotYetStored } from '../already-stored.js';
import { insertFailureCode } from '../malformed-batch.js';
import type { ServerCapabilities, TableNames } from '../schema/index.js';
import { detachStdinFromChdb } from './stdin-detach.js';
import { DEFAULT_DATABASE, capabilitiesOf, migrateSchema, resolveTableNames, tableNames, toJsonEachRow } from '../schema/index.js';

export interface ChdbWarehouseOptions {
  /** Database holding Tripwire's tables; created by migrate() when missing. Default "tripwire". */
  database?: string;
}

// 64-bit counts and epoch milliseconds come back as JSON numbers, as from a server.
const CONNECTION_ARGS = ['--output_format_json_quote_64bit_integers=0'];

// chdb's own failures that mean the engine, not the statement, is the problem.
const UNAVAILABLE_CODES = new Set(['CHDB_CONNECTION', 'CHDB_CLOSED', 'CHDB_ABORT', 'CHDB_TIMEOUT']);

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.trim() : String(error);
}

function chdbCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function parseJsonEachRow<Row>(text: string): Row[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Row);
}

/**
 * ClickHouse in process, with its data in a folder that survives restarts. Only the async chdb
 * calls are used: `queryAsync` and `insert` run off the event loop, `query` would block it.
 *
 * libchdb binds one data directory per process. Warehouses on the same path coexist; to move
 * to another path, close() the open ones first (close waits for chdb to let go of the folder).
 */
export class ChdbWarehouse implements WarehouseBackend {
  readonly capabilities: ServerCapabilities;
  readonly names: TableNames;

  private constructor(
    private readonly session: Session,
    readonly path: string,
    readonly version: string,
    names: TableNames,
  ) {
    this.capabilities = capabilitiesOf(version);
    this.names = names;
  }

  static async open(path: string, options: ChdbWarehouseOptions = {}): Promise<ChdbWarehouse> {
    const names = tableNames(options.database ?? DEFAULT_DATABASE);
    const folder = resolve(path);
    let session: Session;
    try {
      mkdirSync(folder, { recursive: true });
      detachStdinFromChdb();
      session = new Session(folder, { connectionArgs: CONNECTION_ARGS });
    } catch (error) {
      throw new TripwireError(
        'TW_WAREHOUSE_UNAVAILABLE',
        `chdb could not open ${folder}: ${messageOf(error)}. chdb holds one data folder per process; close the warehouse using another folder first.`,
        { cause: error },
      );
    }
    try {
      const result = await session.queryAsync('SELECT version() AS version', { format: 'JSONEachRow' });
      const [row] = parseJsonEachRow<{ version: string }>(result.text());
      return new ChdbWarehouse(session, folder, row?.version ?? '', names);
    } catch (error) {
      session.close();
      await drainPending();
      throw new TripwireError('TW_WAREHOUSE_UNAVAILABLE', `chdb at ${folder} did not answer: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  async migrate(): Promise<void> {
    await migrateSchema(
      {
        version: this.version,
        execute: (sql) => this.guard('TW_WAREHOUSE_SCHEMA', 'rejected a schema statement', () => this.execute(sql)),
        select: (sql) => this.guard('TW_WAREHOUSE_SCHEMA', 'rejected a schema query', () => this.select(sql)),
      },
      this.names,
    );
  }

  async insert<T extends WarehouseTable>(table: T, rows: readonly WarehouseRows[T][], batch?: InsertBatch): Promise<void> {
    if (rows.length === 0) return;
    await this.guard(insertFailureCode, `rejected a batch of ${rows.length} ${table} rows`, async () => {
      const missing = batch?.replay === true ? await rowsNotYetStored((sql) => this.select(resolveTableNames(sql, this.names)), table, rows) : rows;
      if (missing.length === 0) return;
      const body = toJsonEachRow(table, missing);
      await this.session.insert({
        table: this.names[table],
        values: Buffer.from(body),
        format: 'JSONEachRow',
        // Same batch, same token: a resent batch is ignored (see the tables' dedup window).
        settings: { insert_deduplication_token: (batch && insertToken(batch.id, missing.length, rows.length)) ?? createHash('sha256').update(`${table}\n${body}`).digest('hex') },
      });
    });
  }

  async query<Row = Record<string, unknown>>(sql: string): Promise<Row[]> {
    return this.guard('TW_WAREHOUSE_QUERY', 'rejected a query', () => this.select<Row>(resolveTableNames(sql, this.names)));
  }

  /** Releases the data folder; resolves once chdb has really let go of it. */
  async close(): Promise<void> {
    this.session.close();
    await drainPending();
  }

  private async execute(sql: string): Promise<void> {
    await this.session.queryAsync(sql);
  }

  private async select<Row>(sql: string): Promise<Row[]> {
    const result = await this.session.queryAsync(sql.trim().replace(/;+$/, ''), { format: 'JSONEachRow' });
    return parseJsonEachRow<Row>(result.text());
  }

  private async guard<Result>(code: ErrorCode | ((error: unknown) => ErrorCode), what: string, run: () => Promise<Result>): Promise<Result> {
    try {
      return await run();
    } catch (error) {
      const unavailable = UNAVAILABLE_CODES.has(chdbCode(error) ?? '');
      throw new TripwireError(unavailable ? 'TW_WAREHOUSE_UNAVAILABLE' : typeof code === 'function' ? code(error) : code, `chdb at ${this.path} ${what}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
}
