import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { TripwireError } from '../errors.js';
import { eventually } from '../../test/support/eventually.js';
import { DATA_DIR_LOCK_FILE, DataDirLock } from './data-dir-lock.js';

const REFRESH_MS = 1_000;

let dataDir: string;
const held: DataDirLock[] = [];
const refreshFailures: TripwireError[] = [];
const recoveries: number[] = [];
const putBack: string[] = [];
const children: ChildProcess[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tw-data-dir-lock-'));
});

afterEach(async () => {
  for (const lock of held.splice(0)) await lock.release();
  refreshFailures.splice(0);
  recoveries.splice(0);
  putBack.splice(0);
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

async function take(refreshMs = REFRESH_MS, folder = dataDir, beforeStaleLockRemoved?: (file: string) => Promise<void>): Promise<DataDirLock> {
  const lock = await DataDirLock.take(folder, {
    refreshMs,
    beforeStaleLockRemoved,
    onRefreshFailed: (error) => refreshFailures.push(error),
    onRefreshedAgain: () => recoveries.push(Date.now()),
    onPutBack: (file) => putBack.push(file),
  });
  held.push(lock);
  return lock;
}

async function refused(refreshMs = REFRESH_MS, folder = dataDir, beforeStaleLockRemoved?: (file: string) => Promise<void>): Promise<TripwireError> {
  const error = await take(refreshMs, folder, beforeStaleLockRemoved).then(
    () => undefined,
    (failure: unknown) => failure as TripwireError,
  );
  expect(error, 'the start is refused').toBeDefined();
  return error!;
}

/** A lock file as another engine would have left it, touched `ageMs` ago. */
async function lockLeftBy(holder: { pid: number; host: string }, ageMs = 0): Promise<void> {
  const file = join(dataDir, DATA_DIR_LOCK_FILE);
  await writeFile(file, `${JSON.stringify({ ...holder, startedAt: '2026-12-07T09:00:00.000Z' })}\n`);
  const touched = new Date(Date.now() - ageMs);
  await utimes(file, touched, touched);
}

async function runningProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child;
}

async function goneProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

async function lockHolder(): Promise<{ pid: number; host: string }> {
  return JSON.parse(await readFile(join(dataDir, DATA_DIR_LOCK_FILE), 'utf8')) as { pid: number; host: string };
}

describe('the data folder lock', () => {
  test('names this process and host in <dataDir>/engine.lock while it is held', async () => {
    await take();
    expect(await lockHolder()).toMatchObject({ pid: process.pid, host: hostname() });
  });

  test('refuses a second engine of this process on a held folder, naming the folder', async () => {
    await take();
    const error = await refused();
    expect(error.code).toBe('TW_DATA_DIR_IN_USE');
    expect(error.message).toContain(dataDir);
    expect(error.message).toContain('this process');
  });

  test('tells a second engine of this process that the first runs on the folder since its start, to stop it or use another dataDir, not to wait', async () => {
    await take();
    const { startedAt } = JSON.parse(await readFile(join(dataDir, DATA_DIR_LOCK_FILE), 'utf8')) as { startedAt: string };
    const error = await refused();
    expect(error.message).toContain(`An engine (this process, running since ${startedAt}) is running on the data folder`);
    expect(error.message).toContain('Stop that engine, or give this engine another dataDir (TW_DATA_DIR)');
    expect(error.message).not.toContain('start again');
  });

  test('refuses a second engine of this process given the held folder through a symlink', async () => {
    await take();
    const link = `${dataDir}-link`;
    await symlink(dataDir, link);
    try {
      expect((await refused(REFRESH_MS, link)).code).toBe('TW_DATA_DIR_IN_USE');
    } finally {
      await rm(link);
    }
  });

  test('refuses one of two engines of this process started on a free folder at the same time', async () => {
    const outcomes = await Promise.allSettled([take(), take()]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await lockHolder()).toMatchObject({ pid: process.pid });
  });

  test('refuses a start while a running process of this host holds the folder, naming the folder and the engine with its start', async () => {
    const owner = await runningProcess();
    await lockLeftBy({ pid: owner.pid!, host: hostname() });
    const error = await refused();
    expect(error.code).toBe('TW_DATA_DIR_IN_USE');
    expect(error.message).toContain(dataDir);
    expect(error.message).toContain(`An engine (pid ${owner.pid} on ${hostname()}, running since 2026-12-07T09:00:00.000Z) is running on the data folder`);
  });

  test('tells a start refused by a running process of this host to stop that engine or use another dataDir, not to wait: its lock never goes stale', async () => {
    const owner = await runningProcess();
    await lockLeftBy({ pid: owner.pid!, host: hostname() });
    const error = await refused();
    expect(error.message).toContain('Stop that engine, or give this engine another dataDir (TW_DATA_DIR)');
    expect(error.message).not.toContain('start again');
  });

  test('takes over at once a lock left by a process of this host that is no longer running', async () => {
    await lockLeftBy({ pid: await goneProcess(), host: hostname() });
    await take();
    expect(await lockHolder()).toMatchObject({ pid: process.pid });
  });

  test('takes over a lock naming its own pid that it does not hold, as a restarted container finds its last life\'s', async () => {
    await lockLeftBy({ pid: process.pid, host: hostname() });
    await take();
    expect(await lockHolder()).toMatchObject({ pid: process.pid });
  });

  test('refuses a start while the lock of an engine on another host is refreshed, saying when to start again if that engine is gone', async () => {
    await lockLeftBy({ pid: 1, host: 'another-host' }, REFRESH_MS);
    const error = await refused();
    expect(error.message).toContain('pid 1 on another-host');
    expect(error.message).toContain('if that engine is gone, start again in 2 s');
  });

  test('takes over the lock of an engine on another host once it went 3 refresh periods without a refresh', async () => {
    await lockLeftBy({ pid: 1, host: 'another-host' }, 3 * REFRESH_MS + 100);
    await take();
    expect(await lockHolder()).toMatchObject({ pid: process.pid, host: hostname() });
  });

  test('keeps a lock judged stale that its engine refreshes before the start removes it, as a frozen engine resuming does, and refuses the start', async () => {
    await lockLeftBy({ pid: 1, host: 'another-host' }, 3 * REFRESH_MS + 100);
    const file = join(dataDir, DATA_DIR_LOCK_FILE);
    const before = await readFile(file, 'utf8');
    const resumes = async () => {
      const now = new Date();
      await utimes(file, now, now);
    };
    const error = await refused(REFRESH_MS, dataDir, resumes);
    expect(error.code).toBe('TW_DATA_DIR_IN_USE');
    expect(error.message).toContain('pid 1 on another-host');
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await readdir(dataDir)).toEqual([DATA_DIR_LOCK_FILE]);
  });

  test('keeps a lock another engine placed after the start judged the one before it stale, and refuses the start', async () => {
    await lockLeftBy({ pid: 1, host: 'another-host' }, 3 * REFRESH_MS + 100);
    const file = join(dataDir, DATA_DIR_LOCK_FILE);
    const replaces = async () => {
      await unlink(file);
      await lockLeftBy({ pid: 2, host: 'a-third-host' });
    };
    const error = await refused(REFRESH_MS, dataDir, replaces);
    expect(error.code).toBe('TW_DATA_DIR_IN_USE');
    expect(await lockHolder()).toMatchObject({ pid: 2, host: 'a-third-host' });
    expect(await readdir(dataDir)).toEqual([DATA_DIR_LOCK_FILE]);
  });

  test('touches the lock every refresh period while it is held', async () => {
    await take(50);
    const file = join(dataDir, DATA_DIR_LOCK_FILE);
    const long = new Date(Date.now() - 60_000);
    await utimes(file, long, long);
    await eventually(async () => ((await stat(file)).mtimeMs > Date.now() - 5_000 ? true : undefined), 5_000, 'the lock to be touched');
  });

  test('reports a refresh that cannot read its lock (a directory in its place), then the next refresh that succeeds', async () => {
    await take(50);
    const file = join(dataDir, DATA_DIR_LOCK_FILE);
    // A lock that cannot be read: a directory in its place fails every read (EISDIR), even for root.
    await unlink(file);
    await mkdir(file);
    await eventually(() => refreshFailures[0], 5_000, 'the refresh to fail');
    expect(refreshFailures[0]!.code).toBe('TW_DATA_DIR_LOCK_REFRESH');
    expect(refreshFailures[0]!.message).toContain(`The data folder's lock ${file} could not be refreshed`);
    expect(recoveries).toEqual([]);
    await rm(file, { recursive: true });
    await eventually(() => recoveries[0], 5_000, 'a refresh to succeed again');
    expect(await lockHolder()).toMatchObject({ pid: process.pid, host: hostname() });
  });

  test('reports a refresh that hangs on the disk for a period, before it ends', async () => {
    await take(100);
    const file = join(dataDir, DATA_DIR_LOCK_FILE);
    // A FIFO in the lock's place: reading it blocks, as a hung disk would.
    await unlink(file);
    execFileSync('mkfifo', [file]);
    try {
      await eventually(() => refreshFailures[0], 5_000, 'the hung refresh to be reported');
      expect(refreshFailures[0]).toMatchObject({ code: 'TW_DATA_DIR_LOCK_REFRESH', message: expect.stringMatching(/has not been refreshed: the refresh has waited on the disk for 0.1 s/) });
    } finally {
      // The disk answers: the hung read ends (whatever the test found), and the FIFO goes.
      await writeFile(file, 'x');
      await unlink(file);
    }
    await eventually(() => recoveries[0], 5_000, 'a refresh to succeed again');
  });

  test('puts its lock back, naming this engine as before, when the file was removed and no other engine placed one', async () => {
    await take(50);
    const file = join(dataDir, DATA_DIR_LOCK_FILE);
    const before = await readFile(file, 'utf8');
    await unlink(file);
    await eventually(() => putBack[0], 5_000, 'the lock to be put back');
    expect(putBack[0]).toBe(file);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  test('reports a refresh that finds its lock taken over by another engine, and leaves that engine\'s lock when released', async () => {
    const lock = await take(50);
    await lockLeftBy({ pid: 1, host: 'another-host' });
    await eventually(() => refreshFailures[0], 5_000, 'the refresh to fail');
    expect(refreshFailures[0]!.code).toBe('TW_DATA_DIR_IN_USE');
    expect(refreshFailures[0]!.message).toContain('it names another engine now');
    await lock.release();
    held.splice(0);
    expect(await lockHolder()).toMatchObject({ pid: 1, host: 'another-host' });
  });

  test('gives up its release after a refresh period while a refresh waits on the disk, throwing that the lock is left to go stale', async () => {
    const lock = await take(200);
    held.splice(0);
    const file = join(dataDir, DATA_DIR_LOCK_FILE);
    // A FIFO in the lock's place: reading it blocks, as a hung disk would, so the refresh never settles.
    await unlink(file);
    execFileSync('mkfifo', [file]);
    try {
      await eventually(() => refreshFailures[0], 5_000, 'the refresh to wait on the disk');
      const started = Date.now();
      const stillWaiting = new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 2_000).unref());
      const outcome = await Promise.race([lock.release().then(() => 'released', (error: unknown) => error), stillWaiting]);
      expect(outcome).toMatchObject({
        code: 'TW_DATA_DIR_LOCK_REFRESH',
        message: expect.stringMatching(/was not removed at the stop: the disk has not answered for 0.2 s.*goes stale 0.6 s after its last refresh/),
      });
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      // The disk answers: the hung read ends, and the FIFO goes.
      await writeFile(file, 'x');
      await unlink(file);
    }
  });

  test('once released, leaves no lock, so the next engine starts at once', async () => {
    const lock = await take();
    await lock.release();
    held.splice(0);
    await expect(stat(join(dataDir, DATA_DIR_LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    await take();
  });

  test('refuses a lock file an engine did not write, saying to delete it if no engine uses the folder', async () => {
    await writeFile(join(dataDir, DATA_DIR_LOCK_FILE), 'not json');
    const error = await refused();
    expect(error.code).toBe('TW_DATA_DIR_IN_USE');
    expect(error.message).toContain('delete the file');
  });
});
