import { TripwireError } from '../errors.js';
import { RowJournal } from './row-journal.js';
import type { WarehouseRows, WarehouseTable } from './rows.js';
import { WAREHOUSE_TABLES } from './rows.js';
import { SpillFolder } from './spill-folder.js';
import { TableLane } from './table-lane.js';
import { wellFormedRow } from './well-formed-rows.js';
import type { EventSink, WarehouseBackend } from './warehouse.js';

export interface BatchingSinkOptions {
  /** Rows per insert; a table's rows are sent as soon as this many wait. Default 1000. */
  batchSize?: number;
  /** Longest a row waits before its batch is sent. Default 1000 ms. */
  flushIntervalMs?: number;
  /**
   * Rows held in memory (all tables) past which `pressure` is raised and `whenWritable()` waits.
   * Rows are never refused; callers that await `whenWritable()` keep memory bounded. Default 100 000.
   */
  highWaterMark?: number;
  /** First retry delay after a failed insert, doubled per consecutive failure. Default 500 ms. */
  retryInitialMs?: number;
  /** Longest retry delay. Default 30 s. */
  retryMaxMs?: number;
  /**
   * Folder where batches wait on disk while ClickHouse is unreachable (one fsync'd file per
   * batch), replayed when it is back, also after a restart. Without it batches wait in memory.
   */
  spillDir?: string;
  /** Consecutive failed inserts of a table after which its batches are spilled. Default 3. */
  spillAfterFailures?: number;
  /** Disk the spill folder may use; past it batches stay in memory and raise pressure. Default 1 GiB. */
  spillMaxBytes?: number;
  /**
   * Folder of the write-ahead journal (needs `spillDir`): every row is appended there, one write
   * per event-loop turn, before `whenDurable()` resolves, and a batch's rows leave it once the batch
   * is stored or spilled. Segments a crashed engine left are replayed through the spill folder.
   * Without it (or while its appends fail) rows wait in memory only, and a crash of the process loses them.
   */
  journalDir?: string;
  /**
   * Failed inserts (TW_WAREHOUSE_UNAVAILABLE), batches refused as malformed (TW_WAREHOUSE_REJECTED)
   * spill-folder failures (TW_WAREHOUSE_SPILL), failed journal appends (TW_WAREHOUSE_JOURNAL), and
   * a journal callback that threw (TW_INTERNAL, a defect: the message says what it cost).
   * Required: the sink works in the background, so nobody else would see these errors.
   */
  onError: (error: TripwireError) => void;
  /**
   * Something an operator may want to know of: a torn last journal line dropped at start, or
   * journal appends moved off the event loop by a slow disk.
   */
  onWarning?: (message: string) => void;
  /** A journal append failed, with its rows, kept in memory only (also reported through onError). */
  onJournalFailed?: (rows: number) => void;
  /** How long each journal append took, in seconds, failed ones included. */
  onJournalAppendTimed?: (seconds: number) => void;
  /** A batch ClickHouse refused as malformed was set aside (`<spillDir>/*.rejected`), with its row count. */
  onRejected?: (table: WarehouseTable, rows: number) => void;
}

/**
 * Batches rows per table and inserts them by size or by time, one insert in flight per table so
 * batches land in order. Nothing is dropped: a failed insert is retried with backoff; after a few
 * failures batches move to the spill folder and are replayed, idempotently, once ClickHouse is
 * back; a failed journal append leaves its rows in memory, stored as usual. Rows piling up in
 * memory raise `pressure` instead of being refused. A batch ClickHouse refuses as malformed is set
 * aside after a few tries (as a `.rejected` file), so it cannot hold back the batches behind it.
 */
export class BatchingSink implements EventSink {
  private readonly lanes: Record<WarehouseTable, TableLane>;
  private readonly journal: RowJournal | undefined;
  private readonly flushIntervalMs: number;
  private readonly highWaterMark: number;
  private readonly spillMaxBytes: number;
  private readonly onError: (error: TripwireError) => void;
  private readonly ready: Promise<void>;
  private readonly writableWaiters: Array<() => void> = [];
  private memoryRows = 0;
  private intervalTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(backend: WarehouseBackend, options: BatchingSinkOptions) {
    const batchSize = Math.max(1, options.batchSize ?? 1000);
    this.flushIntervalMs = Math.max(1, options.flushIntervalMs ?? 1000);
    this.highWaterMark = Math.max(batchSize, options.highWaterMark ?? 100_000);
    this.spillMaxBytes = options.spillMaxBytes ?? 1024 ** 3;
    this.onError = options.onError;
    const spill = options.spillDir === undefined ? undefined : new SpillFolder(options.spillDir);
    const retryInitialMs = Math.max(1, options.retryInitialMs ?? 500);
    const settings = {
      batchSize,
      retryInitialMs,
      retryMaxMs: Math.max(retryInitialMs, options.retryMaxMs ?? 30_000),
      spillAfterFailures: spill === undefined ? Number.POSITIVE_INFINITY : Math.max(1, options.spillAfterFailures ?? 3),
      spill,
      spillRoom: (bytes: number) => this.spilledBytes() + bytes <= this.spillMaxBytes,
      onError: (error: TripwireError) => this.onError(error),
      onRelieved: () => this.relieve(),
      onRejected: (table: WarehouseTable, rows: number) => options.onRejected?.(table, rows),
    };
    const lane = (table: WarehouseTable) => new TableLane(table, backend, settings);
    this.lanes = { events: lane('events'), triggers: lane('triggers'), deliveries: lane('deliveries'), conversions: lane('conversions') };
    if (options.journalDir !== undefined && spill === undefined) {
      throw new TripwireError('TW_CONFIG_INVALID', 'The warehouse journal needs a spill folder: its leftovers are replayed as spilled batches.');
    }
    this.journal =
      options.journalDir === undefined
        ? undefined
        : new RowJournal(options.journalDir, {
            onAppended: (tables, rows, segment) => {
              for (let i = 0; i < rows.length; i++) this.lanes[tables[i]!].push(rows[i]!, segment);
              if (rows.length > 0) this.armInterval();
            },
            onNotJournaled: (tables, rows) => {
              for (let i = 0; i < rows.length; i++) this.lanes[tables[i]!].push(rows[i]!);
              if (rows.length > 0) this.armInterval();
              options.onJournalFailed?.(rows.length);
            },
            onAppendTimed: (seconds) => options.onJournalAppendTimed?.(seconds),
            onError: (error) => this.onError(error),
            onWarning: (message) => options.onWarning?.(message),
          });
    this.ready = this.recover(spill);
  }

  /** Rows accepted but not yet stored nor spilled, per table (a batch in flight included). */
  get buffered(): Record<WarehouseTable, number> {
    return this.perTable((lane) => lane.inMemory);
  }

  /** Batches waiting in the spill folder, per table. */
  get spilled(): Record<WarehouseTable, number> {
    return this.perTable((lane) => lane.onDisk.batches);
  }

  /** Rows stored by this sink since it started, per table. */
  get inserted(): Record<WarehouseTable, number> {
    return this.perTable((lane) => lane.inserted);
  }

  /** Rows of batches ClickHouse refused as malformed and the sink set aside since it started, per table. */
  get rejected(): Record<WarehouseTable, number> {
    return this.perTable((lane) => lane.rejected);
  }

  /** True while a table's inserts fail (ClickHouse unreachable or down): its rows wait in memory or on disk. */
  get failing(): boolean {
    return WAREHOUSE_TABLES.some((table) => this.lanes[table].failing);
  }

  /** Why inserts fail, from the first failing table's last attempt; undefined while none fails. */
  get failure(): string | undefined {
    return WAREHOUSE_TABLES.map((table) => this.lanes[table].failure).find((failure) => failure !== undefined);
  }

  /** Journal appends that failed since the sink started (their rows were kept in memory only). */
  get journalFailures(): number {
    return this.journal?.failures ?? 0;
  }

  /** True from a failed journal append until one succeeds. */
  get journalFailing(): boolean {
    return this.journal?.failing ?? false;
  }

  /** True while journal appends go through the thread pool because one was slow on the event loop. */
  get journalSlowDisk(): boolean {
    return this.journal?.slowDisk ?? false;
  }

  get pressure(): boolean {
    return this.memoryRows >= this.highWaterMark;
  }

  whenWritable(): Promise<void> {
    if (!this.pressure) return Promise.resolve();
    return new Promise((resolve) => this.writableWaiters.push(resolve));
  }

  write<T extends WarehouseTable>(table: T, row: WarehouseRows[T]): void {
    if (this.closed) {
      throw new TripwireError('TW_WAREHOUSE_UNAVAILABLE', `A ${table} row was written after the warehouse sink was closed.`);
    }
    this.memoryRows += 1;
    if (this.journal !== undefined) {
      this.journal.append(table, wellFormedRow(row));
      return;
    }
    this.lanes[table].push(wellFormedRow(row));
    if (this.lanes[table].hasPending) this.armInterval();
  }

  /**
   * Resolves once the append of every row written so far is over: the rows are in the journal or,
   * when it failed (reported through onError), in memory only. Never rejects. Whatever records
   * these rows elsewhere (an ack, a settled timer) waits for it. Undefined when no row waits (or
   * there is no journal), so the hot path awaits nothing.
   */
  whenDurable(): Promise<void> | undefined {
    return this.journal?.whenDurable();
  }

  /**
   * Stores every row written before the call (and every spilled batch), retrying at once rather
   * than waiting out a backoff. Rejects with the insert's error if ClickHouse still refuses; the
   * rows stay buffered and the sink keeps retrying on its own.
   */
  async flush(): Promise<void> {
    await this.whenDurable();
    await this.ready;
    await Promise.all(WAREHOUSE_TABLES.map((table) => this.lanes[table].flush()));
  }

  /**
   * Graceful shutdown: stores everything, or spills to disk what ClickHouse does not take after
   * one attempt. Rejects only when rows could be neither stored nor spilled. The backend stays
   * open: whoever opened it closes it.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.intervalTimer) clearTimeout(this.intervalTimer);
    this.intervalTimer = null;
    // A failed append was reported through onError; its rows are in the lanes, stored below.
    await this.journal?.drain();
    await this.ready;
    const results = await Promise.allSettled(WAREHOUSE_TABLES.map((table) => this.lanes[table].close()));
    await this.journal?.close();
    this.relieveAll();
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private async recover(spill: SpillFolder | undefined): Promise<void> {
    let found: Awaited<ReturnType<SpillFolder['list']>> = [];
    try {
      // Journal leftovers become spilled batches first, so the listing below replays them.
      if (spill !== undefined) await this.journal?.recover(spill);
    } catch (error) {
      this.onError(error as TripwireError);
    }
    try {
      found = spill === undefined ? [] : await spill.list();
    } catch (error) {
      this.onError(error as TripwireError);
    }
    for (const table of WAREHOUSE_TABLES) this.lanes[table].recover(found.filter((batch) => batch.table === table));
  }

  private perTable(count: (lane: TableLane) => number): Record<WarehouseTable, number> {
    const { events, triggers, deliveries, conversions } = this.lanes;
    return { events: count(events), triggers: count(triggers), deliveries: count(deliveries), conversions: count(conversions) };
  }

  private spilledBytes(): number {
    return WAREHOUSE_TABLES.reduce((sum, table) => sum + this.lanes[table].onDisk.bytes, 0);
  }

  private relieve(): void {
    this.memoryRows = WAREHOUSE_TABLES.reduce((sum, table) => sum + this.lanes[table].inMemory, this.journal?.staged ?? 0);
    if (!this.pressure) this.relieveAll();
  }

  private relieveAll(): void {
    for (const resolve of this.writableWaiters.splice(0)) resolve();
  }

  private armInterval(): void {
    if (this.intervalTimer || this.closed) return;
    this.intervalTimer = setTimeout(() => {
      this.intervalTimer = null;
      for (const table of WAREHOUSE_TABLES) this.lanes[table].seal();
      this.journal?.rotate();
    }, this.flushIntervalMs);
    this.intervalTimer.unref();
  }
}
