import { TripwireError, isTripwireError } from '../errors.js';
import type { WarehouseRows, WarehouseTable } from './rows.js';
import type { InsertBatch, WarehouseBackend } from './warehouse.js';

export interface WaitingWarehouseOptions {
  /**
   * Connects to the server and brings its schema up to date. Throws TW_WAREHOUSE_UNAVAILABLE
   * while the server cannot be reached; any other error is a configuration or schema problem.
   */
  open(): Promise<WarehouseBackend>;
  /** The server as messages name it, without credentials. */
  where: string;
  /** First pause before trying again, doubled per failed attempt. Default 500 ms. */
  retryInitialMs?: number;
  /** Longest pause between attempts. Default 10 s: one cheap request, and rows flow soon after the server is back. */
  retryMaxMs?: number;
  /** An attempt failed; the next one runs in `retryInMs`. */
  onWaiting(error: TripwireError, retryInMs: number): void;
  /** A server that could not be reached at start answered and its schema is in place: rows held back can go now. */
  onReady(backend: WarehouseBackend): void;
}

/**
 * A ClickHouse server the engine does not wait for. A warehouse outage must not take pop-ins and
 * emails down with it, so the engine starts while the server cannot be reached: connecting and
 * migrating are retried in the background, with backoff, and until the schema is in place every
 * insert and query fails at once with TW_WAREHOUSE_UNAVAILABLE. An insert never reaches a server
 * whose tables are not there yet (it would be refused as if its rows were malformed); the
 * batching sink keeps those rows, spilling them to disk, and sends them once this is ready.
 */
export class WaitingWarehouse implements WarehouseBackend {
  private backend: WarehouseBackend | undefined;
  private lastError: TripwireError | undefined;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;
  private closed = false;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;

  private constructor(private readonly options: WaitingWarehouseOptions) {
    this.retryInitialMs = Math.max(1, options.retryInitialMs ?? 500);
    this.retryMaxMs = Math.max(this.retryInitialMs, options.retryMaxMs ?? 10_000);
  }

  /**
   * Makes the first attempt. Resolves connected when the server answers, or still waiting when
   * it cannot be reached; rejects on anything else (credentials refused, a migration the server
   * rejects), which waiting would not mend.
   */
  static async start(options: WaitingWarehouseOptions): Promise<WaitingWarehouse> {
    const warehouse = new WaitingWarehouse(options);
    try {
      warehouse.backend = await options.open();
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      warehouse.waitAfter(error);
    }
    return warehouse;
  }

  /** True once the server answered and the schema is in place. */
  get available(): boolean {
    return this.backend !== undefined;
  }

  /** The server's version, or "" until it answered. */
  get version(): string {
    return this.backend?.version ?? '';
  }

  async migrate(): Promise<void> {
    return this.connected().migrate();
  }

  async insert<T extends WarehouseTable>(table: T, rows: readonly WarehouseRows[T][], batch?: InsertBatch): Promise<void> {
    return this.connected().insert(table, rows, batch);
  }

  async query<Row = Record<string, unknown>>(sql: string): Promise<Row[]> {
    return this.connected().query<Row>(sql);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.attempt;
    await this.backend?.close();
  }

  private connected(): WarehouseBackend {
    if (this.backend !== undefined) return this.backend;
    throw new TripwireError(
      'TW_WAREHOUSE_UNAVAILABLE',
      `The warehouse is not available yet: the engine has been waiting for ClickHouse at ${this.options.where} since it started, ` +
        `and creates the schema and stores held-back rows once it answers. Last attempt: ${this.lastError?.message ?? 'none yet'}`,
      { cause: this.lastError },
    );
  }

  private ready(backend: WarehouseBackend): void {
    this.backend = backend;
    this.lastError = undefined;
    this.options.onReady(backend);
  }

  private waitAfter(error: unknown): void {
    this.attempts += 1;
    this.lastError = asTripwireError(error);
    const delay = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** Math.min(this.attempts - 1, 30));
    this.options.onWaiting(this.lastError, delay);
    this.retryTimer = setTimeout(() => {
      this.attempt = this.retry();
    }, delay);
    this.retryTimer.unref();
  }

  private async retry(): Promise<void> {
    let backend: WarehouseBackend;
    try {
      backend = await this.options.open();
    } catch (error) {
      // Past the start, a refusal is waited out too: an operator can fix the server's users or grants without a restart.
      if (!this.closed) this.waitAfter(error);
      return;
    }
    if (this.closed) await backend.close();
    else this.ready(backend);
  }
}

function isUnreachable(error: unknown): boolean {
  return isTripwireError(error) && error.code === 'TW_WAREHOUSE_UNAVAILABLE';
}

function asTripwireError(error: unknown): TripwireError {
  if (isTripwireError(error)) return error;
  return new TripwireError('TW_WAREHOUSE_UNAVAILABLE', error instanceof Error ? error.message : String(error), { cause: error });
}
