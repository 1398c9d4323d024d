/*
 * An engine stopped while its data folder's disk hangs: a supervisor must see the process gone,
 * not one that waits for ever on a disk that does not answer (an NFS server gone). The hang is a
 * FIFO in the lock's place: a refresh's read of it blocks until something writes to it.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, expect, test } from 'vitest';
import { freePort } from '../support/free-port.js';
import { engineProcessEnvironment, eventually } from '../support/test-engine.js';

let folder: string | undefined;

afterEach(async () => {
  if (folder !== undefined) await rm(folder, { recursive: true, force: true });
});

test('an engine stopped with SIGTERM while its lock hangs on the disk gives the lock up after a refresh period and ends by that signal', async () => {
  folder = await mkdtemp(join(tmpdir(), 'tw-hung-lock-'));
  const dataDir = join(folder, 'data');
  const port = await freePort();
  await writeFile(join(folder, 'engine.yaml'), stringify({ server: { host: '127.0.0.1', port }, dataDir, log: { level: 'error' } }));
  const child = fork('engine/cli/main.ts', ['start'], { execArgv: ['--import', 'tsx'], env: engineProcessEnvironment(join(folder, 'engine.yaml')), stdio: 'pipe' });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<NonNullable<typeof ended>>((resolve) => child.once('exit', (code, signal) => resolve((ended = { code, signal }))));
  await eventually(async () => ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok ? true : undefined), 60_000, 'the engine to serve');
  const lock = join(dataDir, 'engine.lock');
  await unlink(lock);
  execFileSync('mkfifo', [lock]);
  try {
    await eventually(async () => {
      const body = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { degraded: string[] };
      return body.degraded.includes('dataDir') ? true : undefined;
    }, 20_000, 'the refresh to hang');
    child.kill('SIGTERM');
    const outcome = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running 20 s after SIGTERM'), 20_000))]);
    // Ended by the signal it was sent, as a process without a handler for it: an exit would wait
    // for the libuv thread that waits on the disk.
    expect(outcome).toEqual({ code: null, signal: 'SIGTERM' });
    expect(stderr).toMatch(/TW_DATA_DIR_LOCK_REFRESH: .*was not removed at the stop/);
  } finally {
    // The disk answers: the hung read ends, and an engine still running can stop.
    if (ended === undefined) await writeFile(lock, 'x');
    await exited;
  }
}, 120_000);
