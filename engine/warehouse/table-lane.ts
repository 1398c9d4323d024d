import { TripwireError, isTripwireError } from '../errors.js';
import type { JournalHold } from './row-journal.js';
import type { WarehouseRows, WarehouseTable } from './rows.js';
import type { SpilledBatch, SpillFolder } from './spill-folder.js';
import { newBatchId } from './spill-folder.js';
import type { WarehouseBackend } from './warehouse.js';

type AnyRow = WarehouseRows[WarehouseTable];

/** A sealed batch held in memory. `replay` once an attempt failed: it may be stored already. */
interface MemoryBatch {
  readonly kind: 'memory';
  readonly id: string;
  readonly seq: number;
  readonly rows: AnyRow[];
  /** Journal segments holding the batch's rows, released once it is stored, spilled or set aside. */
  readonly journal: readonly JournalHold[];
  replay: boolean;
}

interface DiskBatch {
  readonly kind: 'disk';
  readonly seq: number;
  readonly spilled: SpilledBatch;
}

export interface LaneSettings {
  batchSize: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** Consecutive failed attempts after which batches go to disk; Infinity without a spill folder. */
  spillAfterFailures: number;
  spill: SpillFolder | undefined;
  /** Whether the spill folder may take `bytes` more. */
  spillRoom(bytes: number): boolean;
  onError(error: TripwireError): void;
  /** Called whenever rows leave memory (inserted, spilled or set aside). */
  onRelieved(): void;
  /** Called when a batch ClickHouse refused as malformed is set aside, with its row count. */
  onRejected(table: WarehouseTable, rows: number): void;
}

/**
 * Attempts of a batch ClickHouse refuses as malformed before it is set aside. More than one, as
 * a refusal can be brief: an engine upgraded before the schema migration that adds its column.
 */
const REFUSALS_BEFORE_SET_ASIDE = 3;

interface FlushWaiter {
  target: number;
  resolve(): void;
  reject(error: TripwireError): void;
}

function asWarehouseError(error: unknown, table: WarehouseTable, count: number): TripwireError {
  if (isTripwireError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TripwireError('TW_WAREHOUSE_UNAVAILABLE', `Inserting ${count} ${table} rows failed: ${message}`, { cause: error });
}

/** Resolves a sleeping worker early: a batch was sealed, a flush asked, the sink is closing. */
class Wakeup {
  private wake: (() => void) | undefined;

  sleep(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, Math.max(0, ms));
      timer?.unref();
      function done(): void {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/**
 * One table's way to ClickHouse. A single worker sends its batches one at a time, oldest first,
 * so they land in order: spilled batches (always the oldest) before those in memory. After
 * `spillAfterFailures` failed attempts the table is in an outage: every batch in memory is written
 * to the spill folder and the oldest one is retried with backoff until ClickHouse takes it. A
 * batch ClickHouse refuses as malformed would be refused forever and hold back every batch behind
 * it: after REFUSALS_BEFORE_SET_ASIDE tries (one at shutdown) it is set aside as a `.rejected` file.
 */
export class TableLane {
  private pending: AnyRow[] = [];
  private pendingJournal: JournalHold[] = [];
  private readonly queue: MemoryBatch[] = [];
  private readonly spilled: DiskBatch[] = [];
  private readonly flushWaiters: FlushWaiter[] = [];
  private readonly wakeup = new Wakeup();
  private lastSeq = 0;
  private failures = 0;
  /** Consecutive refusals of the oldest batch as malformed; they do not count as an outage. */
  private refusals = 0;
  private retryAt = 0;
  private outage = false;
  private urgent = false;
  private closing = false;
  /** Set when the spill folder failed or is full; cleared by the next insert attempt, so errors are not repeated in a loop. */
  private spillBlocked = false;
  private lastError: TripwireError | undefined;
  private worker: Promise<void> | undefined;
  inserted = 0;
  /** Rows of batches set aside since the lane started. */
  rejected = 0;

  constructor(
    readonly table: WarehouseTable,
    private readonly backend: WarehouseBackend,
    private readonly settings: LaneSettings,
  ) {}

  /** Rows in memory: not yet sealed, or sealed and waiting (a batch in flight included). */
  get inMemory(): number {
    return this.queue.reduce((sum, batch) => sum + batch.rows.length, this.pending.length);
  }

  get onDisk(): { batches: number; bytes: number } {
    return { batches: this.spilled.length, bytes: this.spilled.reduce((sum, batch) => sum + batch.spilled.bytes, 0) };
  }

  /** True from a failed insert attempt until the next one succeeds. */
  get failing(): boolean {
    return this.failures > 0;
  }

  /** The error of the last insert attempt while failing; undefined once an insert succeeds. */
  get failure(): string | undefined {
    return this.failing ? this.lastError?.message : undefined;
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Batches found in the spill folder at start; they are older than anything written since. */
  recover(batches: readonly SpilledBatch[]): void {
    for (const spilled of batches) this.spilled.push({ kind: 'disk', seq: ++this.lastSeq, spilled });
    this.start();
  }

  /** `journal`: the segment the row was appended to, held until the row's batch is stored or spilled. */
  push(row: AnyRow, journal?: JournalHold): void {
    if (journal !== undefined && this.pendingJournal.at(-1) !== journal) {
      journal.hold();
      this.pendingJournal.push(journal);
    }
    this.pending.push(row);
    if (this.pending.length >= this.settings.batchSize) this.seal();
  }

  /** Turns the rows written so far into a batch for the worker. */
  seal(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    const journal = this.pendingJournal;
    this.pending = [];
    this.pendingJournal = [];
    this.queue.push({ kind: 'memory', id: newBatchId(), seq: ++this.lastSeq, rows, journal, replay: false });
    this.wakeup.notify();
  }

  /** Resolves once every batch sealed so far is stored; rejects if an attempt made meanwhile fails. */
  flush(): Promise<void> {
    this.seal();
    const target = this.lastSeq;
    if (this.headSeq() > target) return Promise.resolve();
    this.urgent = true;
    this.wakeup.notify();
    return new Promise((resolve, reject) => this.flushWaiters.push({ target, resolve, reject }));
  }

  /**
   * Stores everything, or spills what ClickHouse refuses: one attempt per batch, no backoff.
   * Rejects only when rows are left in memory (no spill folder, or it is full or failing).
   */
  async close(): Promise<void> {
    this.closing = true;
    this.seal();
    this.urgent = true;
    this.start();
    this.wakeup.notify();
    await this.worker;
    const unfinished = this.lastError ?? new TripwireError('TW_WAREHOUSE_UNAVAILABLE', `The ${this.table} sink closed before ClickHouse took every batch.`);
    for (const waiter of this.flushWaiters.splice(0)) waiter.reject(unfinished);
    if (this.queue.length > 0) {
      throw new TripwireError(
        'TW_WAREHOUSE_UNAVAILABLE',
        `${this.inMemory} ${this.table} rows could not be stored nor spilled at shutdown: ${this.lastError?.message ?? 'unknown error'}`,
        { cause: this.lastError },
      );
    }
  }

  private headSeq(): number {
    return this.spilled[0]?.seq ?? this.queue[0]?.seq ?? Number.POSITIVE_INFINITY;
  }

  /** The worker runs until the lane closes, asleep while there is nothing to send. */
  private start(): void {
    this.worker ??= this.run().catch((error: unknown) => {
      this.settings.onError(asWarehouseError(error, this.table, this.inMemory));
    });
  }

  private async run(): Promise<void> {
    let gaveUp = false;
    for (;;) {
      if (this.shouldSpill(gaveUp) && (await this.spillOldest())) continue;
      if (gaveUp) return;
      const next = this.spilled[0] ?? this.queue[0];
      if (next === undefined) {
        if (this.closing) return;
        await this.wakeup.sleep();
        continue;
      }
      const wait = this.retryAt - Date.now();
      if (wait > 0 && !this.urgent) {
        await this.wakeup.sleep(wait);
        continue;
      }
      this.urgent = false;
      const stored = await this.attempt(next);
      // At shutdown one failure is enough: what is left goes to disk rather than keep the process waiting.
      if (!stored && this.closing) gaveUp = true;
    }
  }

  private shouldSpill(gaveUp: boolean): boolean {
    if (this.settings.spill === undefined || this.queue.length === 0 || this.spillBlocked) return false;
    return this.outage || gaveUp;
  }

  /** Moves the oldest batch in memory to disk; false when the folder is full or failing. */
  private async spillOldest(): Promise<boolean> {
    const batch = this.queue[0]!;
    const estimate = batch.rows.length * 256;
    if (!this.settings.spillRoom(estimate)) {
      this.spillBlocked = true;
      return false;
    }
    try {
      const spilled = await this.settings.spill!.write(this.table, batch.id, batch.rows);
      this.queue.shift();
      // Disk batches are replayed in seq order after older disk batches, before newer memory ones.
      this.spilled.push({ kind: 'disk', seq: batch.seq, spilled });
      for (const segment of batch.journal) segment.release();
      this.settings.onRelieved();
      return true;
    } catch (error) {
      this.lastError = asWarehouseError(error, this.table, batch.rows.length);
      this.settings.onError(this.lastError);
      this.spillBlocked = true;
      return false;
    }
  }

  /** One insert attempt of the oldest batch; true when it is stored. */
  private async attempt(next: MemoryBatch | DiskBatch): Promise<boolean> {
    this.spillBlocked = false;
    const rows = next.kind === 'memory' ? next.rows : await this.readSpilled(next);
    if (rows === undefined) return true;
    try {
      await this.backend.insert(this.table, rows, {
        id: next.kind === 'memory' ? next.id : next.spilled.id,
        // A spilled batch may have been stored before the crash or failure that left it on disk.
        replay: next.kind === 'disk' || next.replay,
      });
    } catch (error) {
      if (next.kind === 'memory') next.replay = true;
      const failure = asWarehouseError(error, this.table, rows.length);
      if (failure.code === 'TW_WAREHOUSE_REJECTED') return this.refused(next, rows, failure);
      this.failed(failure);
      return false;
    }
    await this.stored(next, rows.length);
    return true;
  }

  /** A refusal of the batch's content: retried a few times, then the batch is set aside; true once it is. */
  private async refused(next: MemoryBatch | DiskBatch, rows: readonly AnyRow[], error: TripwireError): Promise<boolean> {
    this.refusals += 1;
    this.lastError = error;
    this.settings.onError(error);
    for (const waiter of this.flushWaiters.splice(0)) waiter.reject(error);
    if (this.refusals < REFUSALS_BEFORE_SET_ASIDE && !this.closing) {
      this.retryAt = Date.now() + Math.min(this.settings.retryMaxMs, this.settings.retryInitialMs * 2 ** (this.refusals - 1));
      return false;
    }
    let aside: string | undefined;
    let asideError: unknown;
    try {
      if (next.kind === 'disk') aside = await this.settings.spill!.setAside(next.spilled, 'rejected');
      else if (this.settings.spill !== undefined) aside = (await this.settings.spill.write(this.table, next.id, rows, 'rejected')).file;
    } catch (failure) {
      asideError = failure;
    }
    const why = asideError === undefined ? 'no spill folder' : (asideError as Error).message;
    const where =
      aside !== undefined
        ? `set aside as ${aside}; fix it and rename it to .json to replay it`
        : next.kind === 'disk'
          ? `it could not be set aside (${why}) and stays as ${next.spilled.file}, tried again at the next start`
          : `its ${rows.length} rows are dropped, as they could not be set aside (${why})`;
    this.settings.onError(
      new TripwireError(
        'TW_WAREHOUSE_REJECTED',
        `ClickHouse refused a batch of ${rows.length} ${this.table} rows ${this.refusals} times as malformed (${error.message}); ${where}. The batches behind it go on.`,
        { cause: error },
      ),
    );
    this.rejected += rows.length;
    this.settings.onRejected(this.table, rows.length);
    this.advance(next);
    return true;
  }

  private async readSpilled(next: DiskBatch): Promise<AnyRow[] | undefined> {
    try {
      return await this.settings.spill!.read(next.spilled);
    } catch (error) {
      this.spilled.shift();
      const aside = await this.settings.spill!.setAside(next.spilled, 'corrupt').catch(() => next.spilled.file);
      this.settings.onError(
        new TripwireError('TW_WAREHOUSE_SPILL', `${(error as Error).message}; set aside as ${aside}, the batches behind it are replayed`, {
          cause: error,
        }),
      );
      return undefined;
    }
  }

  private failed(error: TripwireError): void {
    this.failures += 1;
    this.lastError = error;
    if (this.failures >= this.settings.spillAfterFailures) this.outage = true;
    this.retryAt = Date.now() + Math.min(this.settings.retryMaxMs, this.settings.retryInitialMs * 2 ** Math.min(this.failures - 1, 30));
    this.settings.onError(error);
    for (const waiter of this.flushWaiters.splice(0)) waiter.reject(error);
  }

  private async stored(batch: MemoryBatch | DiskBatch, rows: number): Promise<void> {
    if (batch.kind === 'disk') await this.settings.spill!.remove(batch.spilled).catch((error: TripwireError) => this.settings.onError(error));
    this.inserted += rows;
    this.advance(batch);
  }

  /** The oldest batch is done with (stored or set aside): the next one goes at once. */
  private advance(batch: MemoryBatch | DiskBatch): void {
    if (batch.kind === 'memory') {
      this.queue.shift();
      for (const segment of batch.journal) segment.release();
    } else this.spilled.shift();
    this.refusals = 0;
    this.failures = 0;
    this.retryAt = 0;
    this.outage = false;
    this.settings.onRelieved();
    const head = this.headSeq();
    for (let i = this.flushWaiters.length - 1; i >= 0; i--) {
      const waiter = this.flushWaiters[i]!;
      if (waiter.target < head) {
        this.flushWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
    if (this.flushWaiters.length > 0) this.urgent = true;
  }
}
