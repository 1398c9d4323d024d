import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { TripwireError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import type { WarehouseRows, WarehouseTable } from '../rows.js';
import type { InsertBatch, WarehouseBackend } from '../warehouse.js';
import { insertToken, rowsNotYetStored } from '../already-stored.js';
import { clickhouseCode, insertFailureCode } from '../malformed-batch.js';
import type { ServerCapabilities, TableNames } from '../schema/index.js';
import {
  DEFAULT_DATABASE,
  capabilitiesOf,
  migrateSchema,
  resolveTableNames,
  tableNames,
  toJsonEachRow,
  toStoredRow,
} from '../schema/index.js';

export interface ServerWarehouseOptions {
  /** Database holding Tripwire's tables; created by migrate() when missing. Default "tripwire". */
  database?: string;
  /** Per-request timeout. Default 30 s. */
  requestTimeoutMs?: number;
  /**
   * Starts the query id of every insert (`tw-` and 16 hex digits), so that a replay can wait for
   * the inserts of its table still running on the server from an earlier attempt, or from an
   * engine killed mid-insert, before it reads what the table holds. The engine gives the same
   * one at every start on a data folder (dataDirWriterId). Default: one of this connection's own.
   */
  insertQueryPrefix?: string;
}

// ACCESS_DENIED, and NOT_ENOUGH_PRIVILEGES of servers with access control.
const ACCESS_DENIED_CODES = new Set([497, 519]);

// Fixed length and alphabet: no prefix is the start of another, and none needs escaping in LIKE.
const QUERY_PREFIX = /^tw-[0-9a-f]{16}$/;

// 64-bit counts and epoch milliseconds come back as JSON numbers, not strings, on every server.
const READ_SETTINGS: ClickHouseSettings = { output_format_json_quote_64bit_integers: 0 };

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.trim() : String(error);
}

/** Network-level failures, as opposed to the server answering with an error. */
function isTransportFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return true;
  return /timeout|socket hang up/i.test(messageOf(error));
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(invalid url)';
  }
}

/** A ClickHouse server over HTTP, from 18.16 to current releases. */
export class ServerWarehouse implements WarehouseBackend {
  readonly capabilities: ServerCapabilities;
  readonly names: TableNames;
  /**
   * The server's refusal when this user may not list its running queries (system.processes),
   * which a replay reads to wait for a leftover insert; learnt by migrate(). Then a replay reads
   * at once, as before that wait existed.
   */
  processesRefused: string | undefined;

  private constructor(
    private readonly client: ClickHouseClient,
    private readonly url: string,
    readonly version: string,
    names: TableNames,
    private readonly insertQueryPrefix: string,
  ) {
    this.capabilities = capabilitiesOf(version);
    this.names = names;
  }

  /** The server's URL as messages and logs name it: without credentials. */
  static where(url: string): string {
    return withoutCredentials(url);
  }

  /**
   * Connects and reads the server version. Fails with TW_WAREHOUSE_UNAVAILABLE when the server
   * cannot be reached (worth waiting for), and with TW_CONFIG_INVALID when it answers with a
   * refusal, such as credentials it does not accept (waiting would not mend that).
   */
  static async connect(url: string, options: ServerWarehouseOptions = {}): Promise<ServerWarehouse> {
    const names = tableNames(options.database ?? DEFAULT_DATABASE);
    const safeUrl = withoutCredentials(url);
    const insertQueryPrefix = options.insertQueryPrefix ?? `tw-${randomBytes(8).toString('hex')}`;
    if (!QUERY_PREFIX.test(insertQueryPrefix)) {
      throw new TripwireError('TW_CONFIG_INVALID', `The insert query prefix ${JSON.stringify(insertQueryPrefix)} is not tw- and 16 hex digits.`);
    }
    let client: ClickHouseClient;
    try {
      client = createClient({
        url,
        request_timeout: options.requestTimeoutMs ?? 30_000,
        application: 'tripwire',
        log: { level: ClickHouseLogLevel.OFF },
      });
    } catch (error) {
      throw new TripwireError('TW_CONFIG_INVALID', `CLICKHOUSE_URL ${safeUrl} is not usable: ${messageOf(error)}`, {
        cause: error,
      });
    }
    try {
      const result = await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
      const [row] = await result.json<{ version: string }>();
      return new ServerWarehouse(client, safeUrl, row?.version ?? '', names, insertQueryPrefix);
    } catch (error) {
      await client.close();
      if (isTransportFailure(error)) {
        throw new TripwireError('TW_WAREHOUSE_UNAVAILABLE', `ClickHouse at ${safeUrl} did not answer: ${messageOf(error)}`, {
          cause: error,
        });
      }
      throw new TripwireError(
        'TW_CONFIG_INVALID',
        `ClickHouse at ${safeUrl} refused the connection check (${messageOf(error)}). Check the user and password in CLICKHOUSE_URL against the server's users.`,
        { cause: error },
      );
    }
  }

  async migrate(): Promise<void> {
    // Only a refusal of the user's rights: any other failure (the server busy, unreachable) fails the start, to be tried again.
    this.processesRefused = await this.guard('TW_WAREHOUSE_UNAVAILABLE', 'did not list its running queries', () =>
      this.select('SELECT count() FROM system.processes WHERE 0').then(
        () => undefined,
        (error: unknown) => (ACCESS_DENIED_CODES.has(clickhouseCode(error) ?? -1) ? messageOf(error) : Promise.reject(error)),
      ),
    );
    await migrateSchema(
      {
        version: this.version,
        execute: (sql) => this.guard('TW_WAREHOUSE_SCHEMA', 'rejected a schema statement', () => this.command(sql)),
        select: (sql) => this.guard('TW_WAREHOUSE_SCHEMA', 'rejected a schema query', () => this.select(sql)),
      },
      this.names,
    );
  }

  async insert<T extends WarehouseTable>(table: T, rows: readonly WarehouseRows[T][], batch?: InsertBatch): Promise<void> {
    if (rows.length === 0) return;
    if (batch?.replay === true && this.processesRefused === undefined) {
      const leftover = await this.guard('TW_WAREHOUSE_UNAVAILABLE', `did not list the queries it runs`, () => this.runningInsert(table));
      if (leftover !== undefined) {
        throw new TripwireError(
          'TW_WAREHOUSE_UNAVAILABLE',
          `An earlier insert of ${table} rows is still running on ClickHouse at ${this.url} (query ${leftover}): the replay waits for it to end, so that its rows are not stored twice`,
        );
      }
    }
    await this.guard(insertFailureCode, `rejected a batch of ${rows.length} ${table} rows`, async () => {
      const missing = batch?.replay === true ? await rowsNotYetStored((sql) => this.select(resolveTableNames(sql, this.names)), table, rows) : rows;
      if (missing.length === 0) return;
      await this.client.insert({
        table: this.names[table],
        values: missing.map((row) => toStoredRow(table, row)),
        format: 'JSONEachRow',
        query_id: `${this.insertQueryPrefix}-${table}-${randomUUID()}`,
        clickhouse_settings: this.insertSettings(table, missing, batch && insertToken(batch.id, missing.length, rows.length)),
      });
    });
  }

  /**
   * A replay reads which rows the table holds, then inserts the others. An insert of an earlier
   * attempt the server is still running (its client timed out), or of an engine killed
   * mid-insert, could land after that read and double its rows, so a replay waits while one
   * runs: it fails, and the lane tries again after its backoff. A lane sends one insert per table
   * at a time, so any insert of this table under this writer's prefix is such a leftover. Waited
   * for rather than killed: 18.16 cannot cancel an insert whose rows come in its body.
   */
  private async runningInsert(table: WarehouseTable): Promise<string | undefined> {
    const [running] = await this.select<{ query_id: string }>(
      `SELECT query_id FROM system.processes WHERE query_id LIKE '${this.insertQueryPrefix}-${table}-%' LIMIT 1`,
    );
    return running?.query_id;
  }

  async query<Row = Record<string, unknown>>(sql: string): Promise<Row[]> {
    return this.guard('TW_WAREHOUSE_QUERY', 'rejected a query', () => this.select<Row>(resolveTableNames(sql, this.names)));
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /**
   * The token is the batch id (or, for a batch without one, a hash of its rows), so resending the
   * same batch after an ambiguous failure is ignored by the server. 18.16 has no such setting:
   * there a replay relies on rowsNotYetStored instead.
   */
  private insertSettings<T extends WarehouseTable>(table: T, rows: readonly WarehouseRows[T][], batchToken: string | undefined): ClickHouseSettings {
    if (!this.capabilities.insertDeduplicationToken) return {};
    const token = batchToken ?? createHash('sha256').update(table).update('\n').update(toJsonEachRow(table, rows)).digest('hex');
    return { insert_deduplication_token: token };
  }

  private async command(sql: string): Promise<void> {
    await this.client.command({ query: sql });
  }

  private async select<Row>(sql: string): Promise<Row[]> {
    const result = await this.client.query({
      query: sql.trim().replace(/;+$/, ''),
      format: 'JSONEachRow',
      clickhouse_settings: READ_SETTINGS,
    });
    return result.json<Row>();
  }

  private async guard<Result>(code: ErrorCode | ((error: unknown) => ErrorCode), what: string, run: () => Promise<Result>): Promise<Result> {
    try {
      return await run();
    } catch (error) {
      if (isTransportFailure(error)) {
        throw new TripwireError('TW_WAREHOUSE_UNAVAILABLE', `ClickHouse at ${this.url} is unreachable: ${messageOf(error)}`, {
          cause: error,
        });
      }
      throw new TripwireError(typeof code === 'function' ? code(error) : code, `ClickHouse at ${this.url} ${what}: ${messageOf(error)}`, { cause: error });
    }
  }
}
