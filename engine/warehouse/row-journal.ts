import { writeSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { TripwireError } from '../errors.js';
import { JOURNAL_HEADER, UnreadableSegment, journalLine, readSegment } from './journal-segment.js';
import type { WarehouseRows, WarehouseTable } from './rows.js';
import { WAREHOUSE_TABLES } from './rows.js';
import type { SpillFolder } from './spill-folder.js';
import { newBatchId } from './spill-folder.js';
import { JournalReports } from './journal-reports.js';
import { SlowDiskRule, ThreadRunTime } from './slow-disk.js';

type AnyRow = WarehouseRows[WarehouseTable];

/** What a batch holds on the journal segments its rows were appended to, until it is stored or spilled. */
export interface JournalHold {
  hold(): void;
  release(): void;
}

export interface RowJournalOptions {
  /** Rows whose append succeeded, in the order written; `segment` is held by whoever keeps them. */
  onAppended(tables: readonly WarehouseTable[], rows: readonly AnyRow[], segment: JournalHold): void;
  /**
   * Rows whose append failed, in the order written: they are kept in memory only (as without a
   * journal), so a crash loses them, but the process loses nothing while it lives.
   */
  onNotJournaled(tables: readonly WarehouseTable[], rows: readonly AnyRow[]): void;
  /** How long each append took, failed ones included: a slow disk slows every ack. */
  onAppendTimed?(seconds: number): void;
  /**
   * Time appends on the event loop may keep it blocked on the disk within the last second (ms)
   * before they move off it for a while (default 50 ms: 5% of the loop).
   */
  slowDiskBudgetMs?: number;
  /** The event loop thread's time running or waiting for a CPU, in ms (default: ThreadRunTime, Linux). */
  threadRunTime?: () => number | undefined;
  onError(error: TripwireError): void;
  onWarning(message: string): void;
}

/** The rows written in one event-loop turn, appended with one write. */
interface Group {
  readonly tables: WarehouseTable[];
  readonly rows: AnyRow[];
  readonly durable: Promise<void>;
  resolve(): void;
}

const SEGMENT_NAME = /^([0-9a-z]{23})\.journal$/;

function journalError(what: string, error: unknown, code: 'TW_WAREHOUSE_SPILL' | 'TW_WAREHOUSE_JOURNAL' = 'TW_WAREHOUSE_SPILL'): TripwireError {
  const message = error instanceof Error ? error.message : String(error);
  return new TripwireError(code, `${what}: ${message}`, { cause: error });
}

/** One journal file. Removed once it is no longer appended to and every batch holding it is stored or spilled. */
class Segment implements JournalHold {
  private refs = 0;
  private retired = false;
  handle: FileHandle | undefined;
  written = 0;

  constructor(
    readonly id: string,
    readonly file: string,
    private readonly onIdle: (segment: Segment) => void,
  ) {}

  hold(): void {
    this.refs += 1;
  }

  release(): void {
    this.refs -= 1;
    if (this.refs === 0 && this.retired) this.onIdle(this);
  }

  retire(): void {
    this.retired = true;
    if (this.refs === 0) this.onIdle(this);
  }
}

/**
 * The write-ahead journal of the warehouse sink: rows are appended to `<dir>/<segment>.journal`
 * before the frames they belong to are acknowledged, so a crash of the engine process loses no
 * acknowledged row. Rows written in one event-loop turn go in one write (group commit), and
 * `whenDurable()` hands every writer of that turn the same promise. Writes are not fsync'd: the
 * page cache outlives the process, not a power loss, whose torn last line recovery drops.
 * A segment takes rows until rotate() (the sink's flush interval) and is removed once every batch
 * holding its rows is stored or spilled; segments left by a crash become spill batches at start.
 */
export class RowJournal {
  private open: Group | undefined;
  private inFlight: Group | undefined;
  private writing: Promise<void> | undefined;
  private current: Segment | undefined;
  private rotateDue = false;
  private scheduled = false;
  /** Segments this journal made: not a crashed engine's leftovers, though recovery may list them. */
  private readonly own = new Set<string>();
  private readonly removals = new Set<Promise<void>>();
  private failingNow = false;
  private failureCount = 0;
  private stagedRows = 0;
  private readonly slowDiskRule: SlowDiskRule;
  private readonly threadRunTime: ThreadRunTime | undefined;
  private readonly runTime: () => number | undefined;
  /** A move off the event loop to report once the append that caused it is accounted for. */
  private moveNotice: string | undefined;
  private readonly reports: JournalReports<Exclude<keyof RowJournalOptions, 'onError'>>;

  constructor(
    readonly dir: string,
    private readonly options: RowJournalOptions,
  ) {
    this.slowDiskRule = new SlowDiskRule(options.slowDiskBudgetMs ?? 50);
    this.reports = new JournalReports((error) => options.onError(error));
    this.threadRunTime = options.threadRunTime === undefined ? ThreadRunTime.open() : undefined;
    this.runTime = options.threadRunTime ?? (() => this.threadRunTime?.ms());
  }

  /** True from a failed append until one succeeds. */
  get failing(): boolean {
    return this.failingNow;
  }

  /** Appends that failed since the journal opened. */
  get failures(): number {
    return this.failureCount;
  }

  /** True while appends go through libuv's thread pool because those on the event loop were blocked too long. */
  get slowDisk(): boolean {
    return this.slowDiskRule.offLoop(performance.now());
  }

  /** Rows waiting for their append (the turn's and the one being written). */
  get staged(): number {
    return this.stagedRows;
  }

  append(table: WarehouseTable, row: AnyRow): void {
    const group = (this.open ??= newGroup());
    group.tables.push(table);
    group.rows.push(row);
    this.stagedRows += 1;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.commit);
    }
  }

  /**
   * The append of every row passed so far: resolves once it is over, the rows in the journal or,
   * when it failed, kept in memory only. It never rejects: a broken disk degrades crash-safety,
   * never ingestion. Undefined when none waits, so a caller need not await.
   */
  whenDurable(): Promise<void> | undefined {
    return (this.open ?? this.inFlight)?.durable;
  }

  /** Starts a new segment at the next append, so the current one can go once its batches are stored. */
  rotate(): void {
    this.rotateDue = true;
  }

  /** Waits for every append under way; failures were reported through onError. */
  async drain(): Promise<void> {
    for (;;) {
      // Now rather than at the end of the turn: whoever drains waits for these rows.
      if (this.writing === undefined) this.commit();
      if (this.writing === undefined) return;
      await this.writing;
    }
  }

  /** After the sink closed: the last segment goes unless a batch still holds it (rows neither stored nor spilled). */
  async close(): Promise<void> {
    await this.drain();
    await this.retireCurrent();
    await Promise.all(this.removals);
    this.threadRunTime?.close();
  }

  /**
   * Turns the segments a crashed engine left into spill batches, one per segment and table,
   * named by the segment's id, so a recovery that is itself interrupted writes the same batches
   * again. Their replay leaves out rows ClickHouse already holds, as for any spilled batch.
   * spillMaxBytes is not checked: these rows were acknowledged and have nowhere else to go, and
   * each segment is removed once written, so the disk they take does not grow.
   */
  async recover(spill: SpillFolder): Promise<void> {
    let names: string[];
    try {
      await mkdir(this.dir, { recursive: true });
      names = (await readdir(this.dir)).sort();
    } catch (error) {
      throw journalError(`Cannot read the journal folder ${this.dir}`, error);
    }
    for (const name of names) {
      const match = SEGMENT_NAME.exec(name);
      if (!match || this.own.has(match[1]!)) continue;
      await this.recoverSegment(spill, match[1]!, join(this.dir, name));
    }
  }

  private async recoverSegment(spill: SpillFolder, id: string, file: string): Promise<void> {
    let segment;
    try {
      segment = readSegment(await readFile(file, 'utf8'));
    } catch (error) {
      if (!(error instanceof UnreadableSegment)) throw journalError(`Cannot read journal segment ${file}`, error);
      const aside = `${file}.corrupt`;
      await rename(file, aside).catch((failure: unknown) => {
        throw journalError(`Journal segment ${file} cannot be read (${error.message}) nor set aside`, failure);
      });
      this.reports.error(new TripwireError('TW_WAREHOUSE_SPILL', `Journal segment ${file} cannot be read (${error.message}); set aside as ${aside}, its rows are not replayed`));
      return;
    }
    if (segment.tornBytes > 0) {
      const warning = `Journal segment ${file} ends with a line cut short (${segment.tornBytes} bytes, a write a crash interrupted and never acknowledged); it is dropped`;
      this.reports.call('onWarning', () => this.options.onWarning(warning), `a warning is missing from the log: ${warning}`);
    }
    for (const table of WAREHOUSE_TABLES) {
      const rows = segment.rows[table];
      if (rows.length > 0) await spill.write(table, id, rows);
    }
    await rm(file, { force: true }).catch((error: unknown) => {
      throw journalError(`Cannot remove recovered journal segment ${file}; it is recovered again at the next start, without duplicates`, error);
    });
  }

  private readonly commit = (): void => {
    this.scheduled = false;
    if (this.writing !== undefined || this.open === undefined) return;
    const group = this.open;
    this.open = undefined;
    this.inFlight = group;
    this.writing = this.write(group).finally(() => {
      this.writing = undefined;
      this.inFlight = undefined;
      if (this.open !== undefined && !this.scheduled) this.commit();
    });
  };

  /**
   * Never rejects, whatever the option callbacks do: the journal's own bookkeeping comes first
   * (the rows counted and handed over once, the group resolved), and a callback that throws is
   * reported (JournalReports), so a broken logger or metric loses no row and hangs no ack.
   */
  private async write(group: Group): Promise<void> {
    const started = performance.now();
    let segment: Segment | undefined;
    let failure: unknown;
    let appended = false;
    try {
      let body = '';
      for (let i = 0; i < group.rows.length; i++) body += journalLine(group.tables[i]!, group.rows[i]!);
      segment = await this.segmentForAppend();
      const text = segment.written === 0 ? JOURNAL_HEADER + body : body;
      const bytes = Buffer.from(text);
      const bytesWritten = await this.appendBytes(segment.handle!, bytes);
      if (bytesWritten < bytes.length) throw new Error(`only ${bytesWritten} of ${bytes.length} bytes were written (disk full?)`);
      segment.written += bytesWritten;
      appended = true;
    } catch (error) {
      failure = error;
      // A write cut short leaves a torn line, and a broken file fails again: the next append opens a new segment.
      if (segment !== undefined) this.rotateDue = true;
    }
    const seconds = (performance.now() - started) / 1000;
    this.stagedRows -= group.rows.length;
    if (appended) {
      this.failingNow = false;
      const handedOver = this.reports.call(
        'onAppended',
        () => this.options.onAppended(group.tables, group.rows, segment!),
        'which of its rows reached their table is unknown, so their journal segment is kept for the next start to replay (without duplicates)',
      );
      // Never released: the segment outlives this process, whose batches may not hold every row.
      if (!handedOver) segment!.hold();
    } else {
      this.failingNow = true;
      this.failureCount += 1;
      this.reports.call('onNotJournaled', () => this.options.onNotJournaled(group.tables, group.rows), 'rows of an append that failed, in memory only, may not have reached their table');
      const reported = this.reports.error(
        journalError(
          `Cannot append ${group.rows.length} warehouse rows to the journal in ${this.dir}; they are kept in memory and stored as usual, but a crash of the engine now would lose them. Free disk space or fix the folder's permissions; the next append tries again`,
          failure,
          'TW_WAREHOUSE_JOURNAL',
        ),
      );
      // Unreported, the engine stops at the next turn (JournalReports.error) with these rows in
      // memory only: left unresolved, their frames are never acknowledged, and the tracker resends them.
      if (!reported) return;
    }
    group.resolve();
    this.reports.call('onAppendTimed', () => this.options.onAppendTimed?.(seconds), "an append's time is missing from the metrics");
    this.reportMove();
  }

  private reportMove(): void {
    const notice = this.moveNotice;
    this.moveNotice = undefined;
    if (notice !== undefined) this.reports.call('onWarning', () => this.options.onWarning(notice), `a warning is missing from the log: ${notice}`);
  }

  /**
   * On the event loop: into the page cache a write takes microseconds, where one handed to libuv's
   * thread pool costs tens of microseconds of CPU and, on busy cores, a wait for the pool's thread
   * that every ack of the turn shares (and the frames waiting for it pile up in the heap). A disk
   * that keeps the loop blocked must not stall the engine: past SlowDiskRule's budget, appends go
   * through the pool for a while. Only the time the thread slept counts, not the time it waited
   * for a core or ran; a failed write's time counts too (a network disk that times out). A disk
   * that hangs on a write stalls the loop until the write returns.
   */
  private async appendBytes(handle: FileHandle, bytes: Buffer): Promise<number> {
    if (this.slowDisk) return (await handle.write(bytes, 0, bytes.length)).bytesWritten;
    const ranBefore = this.runTime();
    const started = performance.now();
    try {
      return writeSync(handle.fd, bytes, 0, bytes.length);
    } finally {
      const now = performance.now();
      const ranAfter = ranBefore === undefined ? undefined : this.runTime();
      const wall = now - started;
      const blocked = ranAfter === undefined ? wall : Math.max(0, wall - (ranAfter - ranBefore!));
      const move = this.slowDiskRule.record(blocked, now);
      if (move !== undefined) {
        this.moveNotice = `Journal appends kept the event loop blocked on the disk for ${move.blockedMs.toFixed(1)} ms within a second (${this.dir}); they go through the thread pool for the next ${move.offMs / 1000} s so a slow disk does not stall the engine`;
      }
    }
  }

  /** Closes the segment appended to; it is removed once no batch holds its rows. */
  private async retireCurrent(): Promise<void> {
    const segment = this.current;
    this.current = undefined;
    if (segment === undefined) return;
    try {
      await segment.handle?.close();
    } finally {
      // Retired even when its close failed: else it would never be removed once its rows are stored.
      segment.handle = undefined;
      segment.retire();
    }
  }

  private async segmentForAppend(): Promise<Segment> {
    if (this.current !== undefined && !this.rotateDue) return this.current;
    this.rotateDue = false;
    await this.retireCurrent();
    const id = newBatchId();
    this.own.add(id);
    const segment = new Segment(id, join(this.dir, `${id}.journal`), (idle) => this.remove(idle));
    // Made again if removed: an operator who cleared the folder should not stop the engine's acks.
    await mkdir(this.dir, { recursive: true });
    segment.handle = await open(segment.file, 'a');
    this.current = segment;
    return segment;
  }

  private remove(segment: Segment): void {
    const removal = (async () => {
      await segment.handle?.close();
      segment.handle = undefined;
      await rm(segment.file, { force: true });
    })()
      .catch((error: unknown) => {
        this.reports.error(journalError(`Cannot remove journal segment ${segment.file}; its rows are replayed at the next start, without duplicates`, error));
      })
      .finally(() => {
        this.own.delete(segment.id);
        this.removals.delete(removal);
      });
    this.removals.add(removal);
  }
}

function newGroup(): Group {
  let resolve!: () => void;
  const durable = new Promise<void>((ok) => {
    resolve = ok;
  });
  return { tables: [], rows: [], durable, resolve };
}
