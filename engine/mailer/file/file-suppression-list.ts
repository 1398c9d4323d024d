import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TripwireError } from '../../errors.js';
import { MemorySuppressionList } from '../memory/index.js';
import { SUPPRESSION_REASONS, normalEmail, type Suppression, type SuppressionList } from '../suppression-list.js';

/** One line of the file: an entry added (or replaced), or an address removed. */
type Change = { op: 'add'; entry: Suppression } | { op: 'remove'; site: string; email: string };

/** How a process holds the file: the engine owns it; an operator's command shares it with a running engine. */
export interface FileSuppressionListOptions {
  /**
   * Rewrite the file at open when most of it is superseded, or to drop a torn last line. Only the
   * file's owner (the engine) may: a rename under a running engine would leave it appending to a
   * file nobody reads. A sharing process refuses a torn file instead of appending after it.
   */
  compact?: boolean;
}

/**
 * The suppression list of the embedded defaults: held in memory, every change appended to one
 * NDJSON file in dataDir and fsync'd before the call resolves, so an unsubscribe outlives a
 * restart as the chdb rows do. The file is read back at open; a line that does not parse stops
 * the start, naming the file and line, rather than mailing addresses that asked for no more. A
 * last line without its newline is a write cut short by a crash: it never resolved, so it is
 * dropped. At open the file is rewritten to one line per entry when most of it is superseded.
 * Another process (`tripwire mailer suppress`) may append to the file while the engine runs:
 * every read first takes in the lines appended since the last one, so the engine's worker never
 * mails an address an operator has just suppressed.
 */
export class FileSuppressionList implements SuppressionList {
  /** File operations in call order: appends, and reads of what other processes appended. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly file: string,
    private readonly entries: MemorySuppressionList,
    private readonly handle: FileHandle,
    /** Bytes of complete lines taken in so far, and how many lines they hold (for error messages). */
    private consumed: { bytes: number; lines: number },
  ) {}

  static async open(file: string, { compact = true }: FileSuppressionListOptions = {}): Promise<FileSuppressionList> {
    await mkdir(dirname(file), { recursive: true });
    const { entries, live, lines, torn, bytes } = await load(file);
    if (torn && !compact) {
      throw new TripwireError('TW_SUPPRESSION_FILE', `${file}, line ${lines.length + 1}: a change cut short (a crash?). Start the engine once, which drops it, then run this again`);
    }
    let consumed = { bytes, lines: lines.length };
    if (compact && (torn || lines.length > 2 * live.size + 100)) consumed = await rewrite(file, [...live.values()]);
    const handle = await open(file, 'a+');
    if (lines.length === 0 && !torn) await syncDirectory(dirname(file));
    return new FileSuppressionList(file, entries, handle, consumed);
  }

  async add(entry: Suppression): Promise<void> {
    const email = normalEmail(entry.email);
    await this.append({ op: 'add', entry: { ...entry, email } });
    await this.entries.add(entry);
  }

  async find(site: string, email: string): Promise<Suppression | undefined> {
    await this.takeInAppended();
    return this.entries.find(site, email);
  }

  async remove(site: string, email: string): Promise<boolean> {
    await this.takeInAppended();
    if ((await this.entries.find(site, email)) === undefined) return false;
    await this.append({ op: 'remove', site, email: normalEmail(email) });
    return this.entries.remove(site, email);
  }

  async list(site: string): Promise<Suppression[]> {
    await this.takeInAppended();
    return this.entries.list(site);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.handle.close();
  }

  /**
   * Applies the complete lines past what was taken in: other processes' changes, and this one's
   * own (applying a change again leaves the entries as they are). A line still being written is
   * left for the next read.
   */
  private takeInAppended(): Promise<void> {
    return this.run(async () => {
      const { size } = await this.handle.stat();
      if (size <= this.consumed.bytes) return;
      const buffer = Buffer.alloc(size - this.consumed.bytes);
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.consumed.bytes);
      const complete = buffer.subarray(0, buffer.subarray(0, bytesRead).lastIndexOf(0x0a) + 1);
      if (complete.length === 0) return;
      const lines = complete.toString('utf8').split('\n').slice(0, -1);
      for (const [index, line] of lines.entries()) await apply(this.entries, parseChange(line, this.file, this.consumed.lines + index + 1));
      this.consumed = { bytes: this.consumed.bytes + complete.length, lines: this.consumed.lines + lines.length };
    }, 'read');
  }

  /** One write and one fsync per change, in call order: a change is kept once its call resolves. */
  private append(change: Change): Promise<void> {
    return this.run(async () => {
      await this.handle.write(`${JSON.stringify(change)}\n`);
      await this.handle.sync();
    }, 'write to');
  }

  private run(operation: () => Promise<void>, verb: string): Promise<void> {
    if (this.closed) return Promise.reject(new TripwireError('TW_INTERNAL', `the suppression list ${this.file} is closed`));
    const done = this.queue.then(async () => {
      try {
        await operation();
      } catch (cause) {
        if (cause instanceof TripwireError) throw cause;
        throw new TripwireError('TW_SUPPRESSION_FILE', `cannot ${verb} the suppression list ${this.file}: ${(cause as Error).message}`, { cause });
      }
    });
    this.queue = done.catch(() => undefined);
    return done;
  }
}

async function apply(entries: MemorySuppressionList, change: Change): Promise<void> {
  if (change.op === 'add') await entries.add(change.entry);
  else await entries.remove(change.site, change.email);
}

async function load(file: string): Promise<{ entries: MemorySuppressionList; live: Map<string, Suppression>; lines: string[]; torn: boolean; bytes: number }> {
  const entries = new MemorySuppressionList();
  const { lines, torn, bytes } = await readLines(file);
  const live = new Map<string, Suppression>();
  for (const [index, line] of lines.entries()) {
    const change = parseChange(line, file, index + 1);
    await apply(entries, change);
    if (change.op === 'add') live.set(keyOf(change.entry.site, change.entry.email), change.entry);
    else live.delete(keyOf(change.site, change.email));
  }
  return { entries, live, lines, torn, bytes };
}

function keyOf(site: string, email: string): string {
  return `${site}\n${normalEmail(email)}`;
}

/** The file's complete lines, whether a torn one follows them, and the bytes they take. */
async function readLines(file: string): Promise<{ lines: string[]; torn: boolean; bytes: number }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], torn: false, bytes: 0 };
    throw new TripwireError('TW_SUPPRESSION_FILE', `cannot read the suppression list ${file}: ${(cause as Error).message}`, { cause });
  }
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  return { lines, torn: last !== '', bytes: Buffer.byteLength(text) - Buffer.byteLength(last) };
}

function parseChange(line: string, file: string, number: number): Change {
  const corrupt = (why: string) =>
    new TripwireError('TW_SUPPRESSION_FILE', `${file}, line ${number}: ${why}. Fix or delete the line (an unsubscribe it held is then forgotten), then start again`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw corrupt(`not JSON (${(error as Error).message})`);
  }
  const change = value as Partial<{ op: unknown; entry: Partial<Record<keyof Suppression, unknown>>; site: unknown; email: unknown }>;
  if (change?.op === 'add') {
    const entry = change.entry;
    const valid =
      typeof entry?.site === 'string' &&
      typeof entry.email === 'string' &&
      SUPPRESSION_REASONS.includes(entry.reason as Suppression['reason']) &&
      typeof entry.at === 'number' &&
      typeof entry.detail === 'string';
    if (!valid) throw corrupt('an "add" needs entry.site, entry.email, entry.reason (unsubscribe, bounce or complaint), entry.at and entry.detail');
    return { op: 'add', entry: entry as Suppression };
  }
  if (change?.op === 'remove') {
    if (typeof change.site !== 'string' || typeof change.email !== 'string') throw corrupt('a "remove" needs site and email');
    return { op: 'remove', site: change.site, email: change.email };
  }
  throw corrupt('"op" must be "add" or "remove"');
}

/** Writes the entries aside, fsyncs, and renames over the file: a crash leaves the old file or the new one. */
async function rewrite(file: string, entries: Suppression[]): Promise<{ bytes: number; lines: number }> {
  const aside = `${file}.rewrite`;
  const handle = await open(aside, 'w');
  const text = entries.map((entry) => `${JSON.stringify({ op: 'add', entry } satisfies Change)}\n`).join('');
  try {
    await handle.write(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(aside, file);
  await syncDirectory(dirname(file));
  return { bytes: Buffer.byteLength(text), lines: entries.length };
}

/** A new or renamed file survives a power cut only once its directory entry is on disk too. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
