import { link, mkdir, readFile, realpath, rename, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { TripwireError } from '../errors.js';
import { draftName, linkIntoPlace } from './placed-file.js';
import { isRunning } from './running-process.js';

/** The file in the data folder that names the engine owning it. */
export const DATA_DIR_LOCK_FILE = 'engine.lock';

/** How often a running engine touches its lock; one not touched for 3 periods is taken over. */
export const DATA_DIR_LOCK_REFRESH_MS = 5_000;

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

export interface DataDirLockOptions {
  refreshMs?: number;
  /**
   * A refresh that failed (a read or write error, a removed lock that could not be put back, or
   * a lock naming another engine): once the lock is 3 periods old, another engine may take the
   * folder over, or already has. Reported at each failed refresh, and once when a refresh has
   * waited on the disk for a period (then again if it ends in a failure).
   */
  onRefreshFailed: (error: TripwireError) => void;
  /** The first refresh that succeeded after one or more failed or waited a period. */
  onRefreshedAgain: () => void;
  /** The lock was gone (something removed it) and no other engine had placed one: this engine's is back. */
  onPutBack: (file: string) => void;
  /**
   * Awaited once a start has judged the folder's lock stale, before it removes it: the moment at
   * which a holder that was frozen (SIGSTOP, a paused VM) may resume and refresh it. Tests drive
   * that interleaving here; the engine gives none.
   */
  beforeStaleLockRemoved?: (file: string) => Promise<void>;
}

/**
 * The folders of one process, with the holder each lock names: a lock naming this process's pid
 * that is not among them is a leftover of an earlier life of the pid (a restarted container is
 * pid 1 again), while one among them is a second engine started in this process on the same folder.
 */
const heldInThisProcess = new Map<string, LockHolder>();

/**
 * One engine per data folder. The journal, spill, outbox and suppression list of `dataDir`
 * assume one writer: a second engine on the folder takes the running one's journal segment for
 * a crash's leftover and inserts its rows a second time, replays its spill batches, and
 * compacts the suppression list under it. The lock is `<dataDir>/engine.lock`, made whole then
 * linked into place (so no engine ever reads half a lock), and touched every refresh period
 * while the engine runs, so one on another host sharing the folder can tell a live owner from a
 * gone one. What the engine does when a refresh fails is the caller's to decide: this module only
 * tells it.
 */
export class DataDirLock {
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private released = false;
  /** Its release gave up waiting on the disk: the lock is left to go stale. */
  private abandoned = false;
  private refreshing: Promise<void> | undefined;

  private constructor(
    private readonly dir: string,
    private readonly file: string,
    private readonly content: string,
    private readonly refreshMs: number,
    private readonly options: DataDirLockOptions,
  ) {}

  static async take(dataDir: string, options: DataDirLockOptions): Promise<DataDirLock> {
    const refreshMs = options.refreshMs ?? DATA_DIR_LOCK_REFRESH_MS;
    // The real path: the same folder reached through a symlink is the same folder.
    const dir = await realFolder(dataDir);
    const file = join(dir, DATA_DIR_LOCK_FILE);
    const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
    const content = `${JSON.stringify(holder)}\n`;
    const running = heldInThisProcess.get(dir);
    if (running !== undefined) throw runningOnFolder(dir, running, 'this process');
    // Reserved with no await since the check, so two starts in this process cannot both get past it.
    heldInThisProcess.set(dir, holder);
    try {
      await placeLock(dir, file, content, refreshMs, options.beforeStaleLockRemoved);
    } catch (error) {
      heldInThisProcess.delete(dir);
      throw error;
    }
    const lock = new DataDirLock(dir, file, content, refreshMs, options);
    lock.scheduleRefresh();
    return lock;
  }

  /**
   * Gives the folder up: the next engine on it starts at once. On a disk that does not answer (an
   * NFS server gone) this waits one refresh period, not for ever: the engine's stop awaits it.
   * Then it throws TW_DATA_DIR_LOCK_REFRESH and leaves the lock, which goes stale 3 periods after
   * its last refresh.
   */
  async release(): Promise<void> {
    this.released = true;
    clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'waited'>((resolve) => {
      timer = setTimeout(() => resolve('waited'), this.refreshMs);
    });
    const removal = this.removeLock();
    try {
      if ((await Promise.race([removal, waited])) !== 'waited') return;
    } finally {
      clearTimeout(timer);
    }
    this.abandoned = true;
    heldInThisProcess.delete(this.dir);
    // Already thrown below as not removed: a failure once the disk answers changes nothing more.
    removal.catch(() => undefined);
    throw new LockLeftOnHungDisk(
      'TW_DATA_DIR_LOCK_REFRESH',
      `The data folder's lock ${this.file} was not removed at the stop: the disk has not answered for ${this.refreshMs / 1000} s. It is left behind and goes stale ${(3 * this.refreshMs) / 1000} s after its last refresh; then the next engine takes ${this.dir} over (an engine on this host does so at once once this process has exited). Check the folder's disk.`,
    );
  }

  private async removeLock(): Promise<'removed'> {
    // A refresh under way could otherwise put back the lock this removes.
    await this.refreshing;
    // Given up on, as thrown: no more reads of a disk that hangs, each of which would hold one of
    // libuv's few threads (shared by all the process's file I/O) for as long as it does.
    if (this.abandoned) return 'removed';
    heldInThisProcess.delete(this.dir);
    // A lock another engine took over after this one stopped refreshing is that engine's to keep.
    const current = await readLock(this.file);
    if (current === this.content) await unlink(this.file);
    return 'removed';
  }

  // One refresh at a time: on a disk that hangs, refreshes must not pile up behind each other.
  private scheduleRefresh(): void {
    this.timer = setTimeout(() => (this.refreshing = this.refresh()), this.refreshMs);
    // The engine's own components keep the process alive; the lock must not keep a stopped one.
    this.timer.unref();
  }

  private async refresh(): Promise<void> {
    let outcome: RefreshOutcome;
    // A disk that hangs would keep the refresh from ever failing: past a period, that is a failure.
    const stalled = setTimeout(() => this.failed(refreshFailure(this.file, this.dir, `has not been refreshed: the refresh has waited on the disk for ${this.refreshMs / 1000} s`, this.refreshMs)), this.refreshMs);
    stalled.unref();
    try {
      outcome = await refreshLock(this.file, this.content, () => this.released);
    } catch (error) {
      this.failed(
        error instanceof TakenOver
          ? new TripwireError(
              'TW_DATA_DIR_IN_USE',
              `The data folder's lock ${this.file} could not be refreshed (${error.message}): another engine took ${this.dir} over while this one did not refresh it. Stop one of them: two engines on one folder store rows twice.`,
              { cause: error },
            )
          : refreshFailure(this.file, this.dir, `could not be refreshed (${(error as Error).message})`, this.refreshMs, error),
      );
      if (!this.released) this.scheduleRefresh();
      return;
    } finally {
      clearTimeout(stalled);
    }
    if (this.released) return;
    this.scheduleRefresh();
    if (outcome === 'put back') this.options.onPutBack(this.file);
    if (this.failing) {
      this.failing = false;
      this.options.onRefreshedAgain();
    }
  }

  private failed(error: TripwireError): void {
    if (this.released) return;
    this.failing = true;
    this.options.onRefreshFailed(error);
  }
}

/**
 * A release that gave up on a disk that does not answer: a read of the lock still waits in one of
 * libuv's threads, which the process joins as it exits, so a plain exit waits with it.
 */
export class LockLeftOnHungDisk extends TripwireError {}

/**
 * The engine running on `dataDir` as its lock names it, or undefined when none does (no lock, or
 * one left by an engine that is gone). Only reads the lock: for commands that must not open what a
 * running engine holds, such as its embedded warehouse.
 */
export async function engineRunningOn(dataDir: string, refreshMs = DATA_DIR_LOCK_REFRESH_MS): Promise<LockHolder | undefined> {
  const found = await readHolder(join(dataDir, DATA_DIR_LOCK_FILE));
  if (found === undefined) return undefined;
  const running = runsOnThisHost(found.holder);
  return isStale(found, refreshMs, running) ? undefined : found.holder;
}

/** A refresh that failed, or waits, on the disk: the engine still owns the folder, for 3 periods. */
function refreshFailure(file: string, dir: string, what: string, refreshMs: number, cause?: unknown): TripwireError {
  return new TripwireError(
    'TW_DATA_DIR_LOCK_REFRESH',
    `The data folder's lock ${file} ${what}: once it is ${(3 * refreshMs) / 1000} s old, another engine may take ${dir} over. Check the folder's disk and permissions, and that nothing removes files from it.`,
    { cause },
  );
}

/** A refresh found the lock naming another engine: a second engine on the folder, not a disk's failure. */
class TakenOver extends Error {
  constructor() {
    super('it names another engine now');
  }
}

/** Touched, or put back after something removed it. */
type RefreshOutcome = 'touched' | 'put back';

async function refreshLock(file: string, content: string, released: () => boolean): Promise<RefreshOutcome> {
  const current = await readLock(file);
  // A release that gave up on this refresh (a disk that hung) has let the folder go: a read that
  // ends after it must not put the lock back, or the next engine would wait for it to go stale.
  if (released()) return 'touched';
  if (current === undefined) {
    // Linked into place as at the start: if another engine's lock got there first, that one stays.
    if ((await linkAgain(file, content)) !== undefined) throw new TakenOver();
    return 'put back';
  }
  if (current !== content) throw new TakenOver();
  const now = new Date();
  await utimes(file, now, now);
  return 'touched';
}

/** Links a fresh copy of this engine's lock into place; the content found there instead when another engine's was first. */
async function linkAgain(file: string, content: string): Promise<string | undefined> {
  if (await linkIntoPlace(file, content)) return undefined;
  const found = await readLock(file);
  if (found === undefined) throw new Error('it was removed again while being put back');
  return found === content ? undefined : found;
}

async function readLock(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}


async function realFolder(dataDir: string): Promise<string> {
  try {
    await mkdir(dataDir, { recursive: true });
    return await realpath(dataDir);
  } catch (error) {
    throw unwritable(resolve(dataDir), error);
  }
}

async function placeLock(dir: string, file: string, content: string, refreshMs: number, beforeStaleLockRemoved?: (file: string) => Promise<void>): Promise<void> {
  // A lock left by an engine that is gone is removed once; still one after that is a live engine's.
  for (let removedStale = false; !(await linkIntoPlace(file, content).catch((error: unknown) => Promise.reject(unwritable(file, error)))); ) {
    const found = await readHolder(file);
    if (found === undefined) continue;
    const running = runsOnThisHost(found.holder);
    if (removedStale || !isStale(found, refreshMs, running)) {
      throw running ? runningOnFolder(dir, found.holder, `pid ${found.holder.pid} on ${found.holder.host}`) : inUse(dir, found.holder, found.ageMs, refreshMs);
    }
    await beforeStaleLockRemoved?.(file);
    await removeStale(file, found);
    removedStale = true;
  }
}

function unwritable(path: string, error: unknown): TripwireError {
  return new TripwireError('TW_CONFIG_INVALID', `The data folder's lock ${path} cannot be made: ${(error as Error).message}. Give a dataDir (TW_DATA_DIR) the engine may write to.`, { cause: error });
}

/** A lock found at the start, with what tells the file apart from a refreshed or replaced one. */
interface FoundLock {
  holder: LockHolder;
  ageMs: number;
  ino: number;
  mtimeMs: number;
}

/** The lock's holder, or undefined when the lock went away meanwhile. */
async function readHolder(file: string): Promise<FoundLock | undefined> {
  try {
    const [text, stats] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { holder: parseHolder(text, file), ageMs: Date.now() - stats.mtimeMs, ino: stats.ino, mtimeMs: stats.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseHolder(text: string, file: string): LockHolder {
  const foreign = (cause?: unknown) =>
    new TripwireError('TW_DATA_DIR_IN_USE', `The data folder's lock ${file} is not one an engine wrote. If no engine uses this folder, delete the file and start again.`, { cause });
  let parsed: Partial<LockHolder>;
  try {
    parsed = JSON.parse(text) as Partial<LockHolder>;
  } catch (error) {
    throw foreign(error);
  }
  if (typeof parsed?.pid !== 'number' || typeof parsed.host !== 'string' || typeof parsed.startedAt !== 'string') throw foreign();
  return { pid: parsed.pid, host: parsed.host, startedAt: parsed.startedAt };
}

/** Another process of this host that is running: if it is an engine, it keeps the lock fresh for as long as it runs. */
function runsOnThisHost(holder: LockHolder): boolean {
  return holder.host === hostname() && holder.pid !== process.pid && isRunning(holder.pid);
}

function isStale(found: { holder: LockHolder; ageMs: number }, refreshMs: number, running: boolean): boolean {
  if (found.ageMs > 3 * refreshMs) return true;
  if (found.holder.host !== hostname()) return false;
  return !running;
}

/**
 * Removes the lock judged stale, and only it. Checking then unlinking by name would remove a lock
 * refreshed in between (a holder frozen by SIGSTOP or a paused VM resumes and touches it: same
 * inode, fresh time), so the lock is first moved aside in one rename, and what was moved is
 * checked: the file judged (same inode, same modification time) is removed; anything else is a
 * live engine's and goes back. It goes back with link, which never replaces a lock placed since
 * the move (its holder, finding none at its refresh, puts its own back): then that one stays and
 * the moved copy goes. Either way no moved-aside file is left, unless putting it back fails on the
 * disk; it has a draft's name, so a placing of the lock removes it once this process is gone.
 */
async function removeStale(file: string, judged: FoundLock): Promise<void> {
  const aside = draftName(file);
  try {
    await rename(file, aside);
  } catch (error) {
    // Gone already: another start removed it, or its holder released it.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  let isJudged = false;
  try {
    const moved = await stat(aside);
    isJudged = moved.ino === judged.ino && moved.mtimeMs === judged.mtimeMs;
  } catch (error) {
    // Removed as a leftover draft by a start on another host sharing the folder, which removes
    // only those last written over a minute ago: a stale lock, no live engine's.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  } finally {
    // A check that failed puts the lock back too: it might be a live engine's.
    if (!isJudged) await putBack(aside, file);
    await unlink(aside).catch(unlessMissing);
  }
}

async function putBack(aside: string, file: string): Promise<void> {
  try {
    await link(aside, file);
  } catch (error) {
    // EEXIST: a lock placed since the move stays. ENOENT: nothing aside to put back (see above).
    if (!['EEXIST', 'ENOENT'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
}

function unlessMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}

/**
 * An engine of this host runs on the folder: its lock never goes stale while it runs, so waiting
 * does not help.
 */
function runningOnFolder(dir: string, holder: LockHolder, who: string): TripwireError {
  return new TripwireError(
    'TW_DATA_DIR_IN_USE',
    `An engine (${who}, running since ${holder.startedAt}) is running on the data folder ${dir} (${join(dir, DATA_DIR_LOCK_FILE)}). Stop that engine, or give this engine another dataDir (TW_DATA_DIR).`,
  );
}

/** A holder on another host, or one whose engine may be gone: its lock goes stale 3 refresh periods after its last refresh. */
function inUse(dir: string, holder: LockHolder, ageMs: number, refreshMs: number): TripwireError {
  const waitS = Math.max(1, Math.ceil((3 * refreshMs - ageMs) / 1000));
  return new TripwireError(
    'TW_DATA_DIR_IN_USE',
    `The data folder ${dir} is in use by another engine (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}; ${join(dir, DATA_DIR_LOCK_FILE)}). Give each engine its own TW_DATA_DIR (dataDir); if that engine is gone, start again in ${waitS} s.`,
  );
}
