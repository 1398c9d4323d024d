import { TripwireError, isTripwireError } from '../errors.js';
import type { WarehouseRows, WarehouseTable } from './rows.js';
import { WAREHOUSE_TABLES } from './rows.js';
import type { EventSink, WarehouseBackend } from './warehouse.js';

export interface BatchingSinkOptions {
  /** Rows per insert; a table's buffer is sent as soon as it holds this many. Default 1000. */
  batchSize?: number;
  /** Longest a row waits before its buffer is sent. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Rows held per table while ClickHouse is unreachable; beyond it new rows are dropped and reported. Default 100 000. */
  maxBufferedRows?: number;
  /** First retry delay after a failed insert, doubled per consecutive failure. Default 500 ms. */
  retryInitialMs?: number;
  /** Longest retry delay. Default 30 s. */
  retryMaxMs?: number;
  /**
   * Failed background inserts and dropped rows, always as TripwireError TW_WAREHOUSE_UNAVAILABLE.
   * Required: the sink runs on timers, so nobody else would see these errors.
   */
  onError: (error: TripwireError) => void;
}

type AnyRow = WarehouseRows[WarehouseTable];

/** One table's rows waiting for ClickHouse, oldest first; the first batch may be in flight. */
interface TableBuffer {
  readonly table: WarehouseTable;
  rows: AnyRow[];
  sending: Promise<void> | null;
  accepted: number;
  inserted: number;
  failures: number;
  retryTimer: NodeJS.Timeout | null;
  dropped: number;
  droppedUnreported: number;
}

function asWarehouseError(error: unknown, table: WarehouseTable, count: number): TripwireError {
  if (isTripwireError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TripwireError('TW_WAREHOUSE_UNAVAILABLE', `Inserting ${count} ${table} rows failed: ${message}`, { cause: error });
}

/**
 * Batches rows per table and inserts them by size or by time, at most one insert in flight per
 * table so batches land in order. A failed insert keeps its rows and is retried with backoff;
 * rows are only dropped past maxBufferedRows, and then reported. Spilling to disk so rows
 * survive a restart during an outage is not done here.
 */
export class BatchingSink implements EventSink {
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxBufferedRows: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly onError: (error: TripwireError) => void;
  private readonly buffers: Record<WarehouseTable, TableBuffer>;
  private intervalTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly backend: WarehouseBackend,
    options: BatchingSinkOptions,
  ) {
    this.batchSize = Math.max(1, options.batchSize ?? 1000);
    this.flushIntervalMs = Math.max(1, options.flushIntervalMs ?? 1000);
    this.maxBufferedRows = Math.max(this.batchSize, options.maxBufferedRows ?? 100_000);
    this.retryInitialMs = Math.max(1, options.retryInitialMs ?? 500);
    this.retryMaxMs = Math.max(this.retryInitialMs, options.retryMaxMs ?? 30_000);
    this.onError = options.onError;
    const buffer = (table: WarehouseTable): TableBuffer => ({
      table,
      rows: [],
      sending: null,
      accepted: 0,
      inserted: 0,
      failures: 0,
      retryTimer: null,
      dropped: 0,
      droppedUnreported: 0,
    });
    this.buffers = { events: buffer('events'), triggers: buffer('triggers'), deliveries: buffer('deliveries') };
  }

  /** Rows accepted but not yet inserted, per table (including a batch in flight). */
  get buffered(): Record<WarehouseTable, number> {
    return this.countPerTable((buffer) => buffer.rows.length);
  }

  /** Rows refused since the sink started because a table's buffer was full. */
  get dropped(): Record<WarehouseTable, number> {
    return this.countPerTable((buffer) => buffer.dropped);
  }

  write<T extends WarehouseTable>(table: T, row: WarehouseRows[T]): void {
    if (this.closed) {
      throw new TripwireError('TW_WAREHOUSE_UNAVAILABLE', `A ${table} row was written after the warehouse sink was closed.`);
    }
    const buffer = this.buffers[table];
    if (buffer.rows.length >= this.maxBufferedRows) {
      this.drop(buffer);
      return;
    }
    buffer.rows.push(row);
    buffer.accepted += 1;
    if (buffer.rows.length >= this.batchSize) this.sendInBackground(buffer, 'full batches');
    else this.armInterval();
  }

  /**
   * Inserts every row written before the call, retrying at once rather than waiting out a
   * backoff. Rejects with the insert's error if ClickHouse still refuses; the rows stay buffered.
   */
  async flush(): Promise<void> {
    await Promise.all(WAREHOUSE_TABLES.map((table) => this.drain(this.buffers[table], this.buffers[table].accepted)));
  }

  /** Stops the timers and flushes. The backend stays open: whoever opened it closes it. */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimers();
    await this.flush();
    for (const table of WAREHOUSE_TABLES) this.reportDrops(this.buffers[table]);
  }

  private countPerTable(count: (buffer: TableBuffer) => number): Record<WarehouseTable, number> {
    const { events, triggers, deliveries } = this.buffers;
    return { events: count(events), triggers: count(triggers), deliveries: count(deliveries) };
  }

  private async drain(buffer: TableBuffer, target: number): Promise<void> {
    while (buffer.inserted < target) {
      if (buffer.sending) {
        // Whoever started that insert reports its failure; here we only wait our turn.
        await buffer.sending.catch(() => undefined);
        continue;
      }
      await this.sendBatch(buffer);
    }
  }

  /** Sends the oldest batch; rows leave the buffer only once the backend has them, and a failure schedules a retry. */
  private sendBatch(buffer: TableBuffer): Promise<void> {
    this.reportDrops(buffer);
    const batch = buffer.rows.slice(0, this.batchSize);
    const sending = this.backend.insert(buffer.table, batch).then(
      () => {
        buffer.rows.splice(0, batch.length);
        buffer.inserted += batch.length;
        buffer.failures = 0;
        this.cancelRetry(buffer);
      },
      (error: unknown) => {
        buffer.failures += 1;
        this.scheduleRetry(buffer);
        throw asWarehouseError(error, buffer.table, batch.length);
      },
    );
    buffer.sending = sending.finally(() => {
      buffer.sending = null;
    });
    return buffer.sending;
  }

  /**
   * Timer- and size-driven sending. 'full batches' sends while a whole batch is waiting; 'all'
   * empties the buffer. A failure is reported here; sendBatch has already scheduled its retry.
   */
  private sendInBackground(buffer: TableBuffer, mode: 'full batches' | 'all'): void {
    if (buffer.sending || buffer.retryTimer || buffer.rows.length === 0) return;
    if (mode === 'full batches' && buffer.rows.length < this.batchSize) return;
    this.sendBatch(buffer).then(
      () => {
        if (buffer.rows.length > 0) this.sendInBackground(buffer, mode);
        if (buffer.rows.length > 0) this.armInterval();
      },
      (error: TripwireError) => this.onError(error),
    );
  }

  private scheduleRetry(buffer: TableBuffer): void {
    if (this.closed || buffer.retryTimer) return;
    const delay = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** Math.min(buffer.failures - 1, 30));
    buffer.retryTimer = setTimeout(() => {
      buffer.retryTimer = null;
      this.sendInBackground(buffer, 'all');
    }, delay);
    buffer.retryTimer.unref();
  }

  private cancelRetry(buffer: TableBuffer): void {
    if (!buffer.retryTimer) return;
    clearTimeout(buffer.retryTimer);
    buffer.retryTimer = null;
  }

  private armInterval(): void {
    if (this.intervalTimer || this.closed) return;
    this.intervalTimer = setTimeout(() => {
      this.intervalTimer = null;
      for (const table of WAREHOUSE_TABLES) this.sendInBackground(this.buffers[table], 'all');
    }, this.flushIntervalMs);
    this.intervalTimer.unref();
  }

  private clearTimers(): void {
    if (this.intervalTimer) clearTimeout(this.intervalTimer);
    this.intervalTimer = null;
    for (const table of WAREHOUSE_TABLES) this.cancelRetry(this.buffers[table]);
  }

  private drop(buffer: TableBuffer): void {
    buffer.dropped += 1;
    buffer.droppedUnreported += 1;
    // The first drop since the last report is reported at once; later ones are summed into one
    // report per send attempt, so an outage yields a report per retry rather than one per row.
    if (buffer.droppedUnreported === 1) this.reportDrops(buffer);
  }

  private reportDrops(buffer: TableBuffer): void {
    if (buffer.droppedUnreported === 0) return;
    const count = buffer.droppedUnreported;
    buffer.droppedUnreported = 0;
    this.onError(
      new TripwireError(
        'TW_WAREHOUSE_UNAVAILABLE',
        `Dropped ${count} ${buffer.table} rows (${buffer.dropped} in total): ${this.maxBufferedRows} rows were already waiting for ClickHouse (maxBufferedRows).`,
      ),
    );
  }
}
