import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TripwireError } from '../../errors.js';
import { MemorySuppressionList } from '../memory/index.js';
import { SUPPRESSION_REASONS, normalEmail, type Suppression, type SuppressionList } from '../suppression-list.js';

/** One line of the file: an entry added (or replaced), or an address removed. */
type Change = { op: 'add'; entry: Suppression } | { op: 'remove'; site: string; email: string };

/**
 * The suppression list of the embedded defaults: held in memory, every change appended to one
 * NDJSON file in dataDir and fsync'd before the call resolves, so an unsubscribe outlives a
 * restart as the chdb rows do. The file is read back at open; a line that does not parse stops
 * the start, naming the file and line, rather than mailing addresses that asked for no more. A
 * last line without its newline is a write cut short by a crash: it never resolved, so it is
 * dropped. At open the file is rewritten to one line per entry when most of it is superseded.
 */
export class FileSuppressionList implements SuppressionList {
  private writes: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly file: string,
    private readonly entries: MemorySuppressionList,
    private readonly handle: FileHandle,
  ) {}

  static async open(file: string): Promise<FileSuppressionList> {
    await mkdir(dirname(file), { recursive: true });
    const { entries, live, lines, torn } = await load(file);
    if (torn || lines.length > 2 * live.size + 100) await rewrite(file, [...live.values()]);
    const handle = await open(file, 'a');
    if (lines.length === 0 && !torn) await syncDirectory(dirname(file));
    return new FileSuppressionList(file, entries, handle);
  }

  /**
   * The entries as the file holds them now, without opening it for writing: for a process (an
   * audience export) that reads the list while the engine may be appending to it.
   */
  static async snapshot(file: string): Promise<MemorySuppressionList> {
    return (await load(file)).entries;
  }

  async add(entry: Suppression): Promise<void> {
    const email = normalEmail(entry.email);
    await this.append({ op: 'add', entry: { ...entry, email } });
    await this.entries.add(entry);
  }

  find(site: string, email: string): Promise<Suppression | undefined> {
    return this.entries.find(site, email);
  }

  async remove(site: string, email: string): Promise<boolean> {
    if ((await this.entries.find(site, email)) === undefined) return false;
    await this.append({ op: 'remove', site, email: normalEmail(email) });
    return this.entries.remove(site, email);
  }

  list(site: string): Promise<Suppression[]> {
    return this.entries.list(site);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes.catch(() => undefined);
    await this.handle.close();
  }

  /** One write and one fsync per change, in call order: a change is kept once its call resolves. */
  private append(change: Change): Promise<void> {
    if (this.closed) return Promise.reject(new TripwireError('TW_INTERNAL', `the suppression list ${this.file} is closed`));
    const written = this.writes.then(async () => {
      try {
        await this.handle.write(`${JSON.stringify(change)}\n`);
        await this.handle.sync();
      } catch (cause) {
        throw new TripwireError('TW_SUPPRESSION_FILE', `cannot write to the suppression list ${this.file}: ${(cause as Error).message}`, { cause });
      }
    });
    this.writes = written.catch(() => undefined);
    return written;
  }
}

async function load(file: string): Promise<{ entries: MemorySuppressionList; live: Map<string, Suppression>; lines: string[]; torn: boolean }> {
  const entries = new MemorySuppressionList();
  const { lines, torn } = await readLines(file);
  const live = new Map<string, Suppression>();
  for (const [index, line] of lines.entries()) {
    const change = parseChange(line, file, index + 1);
    if (change.op === 'add') {
      await entries.add(change.entry);
      live.set(keyOf(change.entry.site, change.entry.email), change.entry);
    } else {
      await entries.remove(change.site, change.email);
      live.delete(keyOf(change.site, change.email));
    }
  }
  return { entries, live, lines, torn };
}

function keyOf(site: string, email: string): string {
  return `${site}\n${normalEmail(email)}`;
}

async function readLines(file: string): Promise<{ lines: string[]; torn: boolean }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], torn: false };
    throw new TripwireError('TW_SUPPRESSION_FILE', `cannot read the suppression list ${file}: ${(cause as Error).message}`, { cause });
  }
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  return { lines, torn: last !== '' };
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
async function rewrite(file: string, entries: Suppression[]): Promise<void> {
  const aside = `${file}.rewrite`;
  const handle = await open(aside, 'w');
  try {
    await handle.write(entries.map((entry) => `${JSON.stringify({ op: 'add', entry } satisfies Change)}\n`).join(''));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(aside, file);
  await syncDirectory(dirname(file));
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
