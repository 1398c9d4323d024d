import { createHash } from 'node:crypto';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { TripwireError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import type { WarehouseRows, WarehouseTable } from '../rows.js';
import type { InsertBatch, WarehouseBackend } from '../warehouse.js';
import { insertToken, rowsNotYetStored } from '../already-stored.js';
import { insertFailureCode } from '../malformed-batch.js';
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
}

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

  private constructor(
    private readonly client: ClickHouseClient,
    private readonly url: string,
    readonly version: string,
    names: TableNames,
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
      return new ServerWarehouse(client, safeUrl, row?.version ?? '', names);
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
    await this.guard(insertFailureCode, `rejected a batch of ${rows.length} ${table} rows`, async () => {
      const missing = batch?.replay === true ? await rowsNotYetStored((sql) => this.select(resolveTableNames(sql, this.names)), table, rows) : rows;
      if (missing.length === 0) return;
      await this.client.insert({
        table: this.names[table],
        values: missing.map((row) => toStoredRow(table, row)),
        format: 'JSONEachRow',
        clickhouse_settings: this.insertSettings(table, missing, batch && insertToken(batch.id, missing.length, rows.length)),
      });
    });
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
