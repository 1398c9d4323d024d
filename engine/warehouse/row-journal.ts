import { writeSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { TripwireError } from '../errors.js';
import { JOURNAL_HEADER, UnreadableSegment, journalLine, readSegment } from './journal-segment.js';
import type { WarehouseRows, WarehouseTable } from './rows.js';
import { WAREHOUSE_TABLES } from './rows.js';
import type { SpillFolder } from './spill-folder.js';
import { newBatchId } from './spill-folder.js';

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
   * An append on the event loop that took longer than this (ms) moves appends off it for a
   * while (default 20 ms).
   */
  slowAppendMs?: number;
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

/** How long appends stay off the event loop after a slow one, before it is tried again. */
const OFF_LOOP_MS = 30_000;

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
  private offLoopUntil = 0;

  constructor(
    readonly dir: string,
    private readonly options: RowJournalOptions,
  ) {}

  /** True from a failed append until one succeeds. */
  get failing(): boolean {
    return this.failingNow;
  }

  /** Appends that failed since the journal opened. */
  get failures(): number {
    return this.failureCount;
  }

  /** True while appends go through libuv's thread pool because one on the event loop was slow. */
  get slowDisk(): boolean {
    return performance.now() < this.offLoopUntil;
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
      this.options.onError(new TripwireError('TW_WAREHOUSE_SPILL', `Journal segment ${file} cannot be read (${error.message}); set aside as ${aside}, its rows are not replayed`));
      return;
    }
    if (segment.tornBytes > 0) {
      this.options.onWarning(`Journal segment ${file} ends with a line cut short (${segment.tornBytes} bytes, a write a crash interrupted and never acknowledged); it is dropped`);
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

  private async write(group: Group): Promise<void> {
    const started = performance.now();
    let segment: Segment | undefined;
    try {
      let body = '';
      for (let i = 0; i < group.rows.length; i++) body += journalLine(group.tables[i]!, group.rows[i]!);
      segment = await this.segmentForAppend();
      const text = segment.written === 0 ? JOURNAL_HEADER + body : body;
      const bytes = Buffer.from(text);
      const bytesWritten = await this.appendBytes(segment.handle!, bytes);
      if (bytesWritten < bytes.length) throw new Error(`only ${bytesWritten} of ${bytes.length} bytes were written (disk full?)`);
      segment.written += bytesWritten;
    } catch (error) {
      this.options.onAppendTimed?.((performance.now() - started) / 1000);
      // A write cut short leaves a torn line, and a broken file fails again: the next append opens a new segment.
      if (segment !== undefined) this.rotateDue = true;
      this.stagedRows -= group.rows.length;
      this.failingNow = true;
      this.failureCount += 1;
      this.options.onNotJournaled(group.tables, group.rows);
      this.options.onError(
        journalError(
          `Cannot append ${group.rows.length} warehouse rows to the journal in ${this.dir}; they are kept in memory and stored as usual, but a crash of the engine now would lose them. Free disk space or fix the folder's permissions; the next append tries again`,
          error,
          'TW_WAREHOUSE_JOURNAL',
        ),
      );
      group.resolve();
      return;
    }
    this.options.onAppendTimed?.((performance.now() - started) / 1000);
    this.failingNow = false;
    this.stagedRows -= group.rows.length;
    this.options.onAppended(group.tables, group.rows, segment);
    group.resolve();
  }

  /**
   * On the event loop: into the page cache a write takes microseconds, where one handed to libuv's
   * thread pool costs tens of microseconds of CPU and, on busy cores, a wait for the pool's thread
   * that every ack of the turn shares (and the frames waiting for it pile up in the heap). A disk
   * that answers slowly must not stall the loop: after a slow append the next ones go through the
   * pool for a while. A disk that hangs on the first write stalls the loop, as it would the log.
   */
  private async appendBytes(handle: FileHandle, bytes: Buffer): Promise<number> {
    if (this.slowDisk) return (await handle.write(bytes, 0, bytes.length)).bytesWritten;
    const started = performance.now();
    const written = writeSync(handle.fd, bytes, 0, bytes.length);
    const took = performance.now() - started;
    if (took > (this.options.slowAppendMs ?? 20)) {
      this.offLoopUntil = performance.now() + OFF_LOOP_MS;
      this.options.onWarning(
        `A journal append of ${bytes.length} bytes took ${took.toFixed(1)} ms on the event loop; appends go through the thread pool for the next ${OFF_LOOP_MS / 1000} s so a slow disk (${this.dir}) does not stall the engine`,
      );
    }
    return written;
  }

  /** Closes the segment appended to; it is removed once no batch holds its rows. */
  private async retireCurrent(): Promise<void> {
    const segment = this.current;
    this.current = undefined;
    if (segment === undefined) return;
    await segment.handle?.close();
    segment.handle = undefined;
    segment.retire();
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
      .catch((error: unknown) =>
        this.options.onError(journalError(`Cannot remove journal segment ${segment.file}; its rows are replayed at the next start, without duplicates`, error)),
      )
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
