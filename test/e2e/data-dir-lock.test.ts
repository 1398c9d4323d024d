/*
 * One engine per data folder, with real engine processes: a second engine given a running one's
 * dataDir (a deploy that starts the new process before the old one stops, two replicas given one
 * folder) would take the running engine's journal segment for a crash's leftover and store its
 * rows twice. It is refused instead; the folder of an engine killed with SIGKILL is free at once.
 * A running engine whose lock is removed puts it back, and one whose lock cannot be refreshed says
 * so in /healthz.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, test } from 'vitest';
import { freePort } from '../support/free-port.js';
import { SocketClient } from '../support/socket-client.js';
import { backendVariants, engineProcessEnvironment, eventually, startTestEngine, type TestEngine } from '../support/test-engine.js';

const { variants, urls } = await backendVariants();

interface EngineProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

describe.each(variants)('engines on one data folder ($backends)', ({ backends, skip }) => {
  let folder: string;
  let dataDir: string;
  let servers: Record<string, unknown>;
  const processes: ChildProcess[] = [];
  let restarted: TestEngine | undefined;

  afterEach(async () => {
    for (const child of processes.splice(0)) child.kill('SIGKILL');
    await restarted?.close();
    restarted = undefined;
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  });

  async function prepare(): Promise<void> {
    folder = await mkdtemp(join(tmpdir(), 'tripwire-data-dir-lock-'));
    dataDir = join(folder, 'data');
    const namespace = `t${randomBytes(4).toString('hex')}`;
    servers = backends === 'servers' ? { store: { redisUrl: urls!.redisUrl, prefix: namespace }, warehouse: { clickhouseUrl: urls!.clickhouseUrl, database: namespace } } : {};
  }

  /** An engine process on `dataDir`; its rows wait in memory and the journal until it stops. */
  async function spawnEngine(name: string): Promise<EngineProcess> {
    const port = await freePort();
    const warehouse = (servers.warehouse ?? {}) as Record<string, unknown>;
    const config = { server: { host: '127.0.0.1', port }, dataDir, ...servers, warehouse: { ...warehouse, batchSize: 1_000_000, flushInterval: 3_600_000 }, log: { level: 'error' } };
    await writeFile(join(folder, `${name}.yaml`), stringify(config));
    const child = fork('engine/cli/main.ts', ['start'], { execArgv: ['--import', 'tsx'], env: engineProcessEnvironment(join(folder, `${name}.yaml`)), stdio: 'pipe' });
    processes.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, url: `http://127.0.0.1:${port}`, stderr: () => stderr, exited };
  }

  /** Serving, or the exit code of an engine that stopped first. */
  async function serving(engine: EngineProcess): Promise<true | { exitCode: number | null }> {
    let exitCode: number | null | undefined;
    void engine.exited.then((code) => (exitCode = code));
    return eventually(
      async () => {
        if (exitCode !== undefined) return { exitCode };
        return (await fetch(`${engine.url}/healthz`).catch(() => undefined))?.ok ? true : undefined;
      },
      60_000,
      'the engine process to serve or exit',
    );
  }

  async function health(engine: EngineProcess): Promise<{ status: number; body: { ok: boolean; degraded: string[]; dataDir: { state: string } } }> {
    const response = await fetch(`${engine.url}/healthz`);
    return { status: response.status, body: (await response.json()) as { ok: boolean; degraded: string[]; dataDir: { state: string } } };
  }

  async function sendEvents(engine: EngineProcess, count: number): Promise<void> {
    const client = await SocketClient.open(engine.url, 'demo', 'visitor-lock');
    const events = Array.from({ length: count }, (_, n) => ({ i: `e${n}`, t: 'page', ts: Date.now(), u: `https://shop.example/page/${n}` }));
    client.send(JSON.stringify({ b: events }));
    await client.acked(events.map((event) => event.i), 15_000);
    client.close();
  }

  test.skipIf(skip !== undefined)(`a second engine process is refused, naming the folder, the running engine and what to do${skip ? ` (${skip})` : ''}`, async () => {
    await prepare();
    const running = await spawnEngine('running');
    expect(await serving(running)).toBe(true);

    const second = await spawnEngine('second');
    expect(await serving(second)).toEqual({ exitCode: 1 });
    expect(second.stderr()).toContain('TW_DATA_DIR_IN_USE');
    expect(second.stderr()).toContain(dataDir);
    expect(second.stderr()).toContain(`pid ${running.child.pid} on ${hostname()}`);
    expect(second.stderr()).toContain('Stop that engine, or give this engine another dataDir (TW_DATA_DIR)');
    expect(second.stderr()).not.toContain('start again');
    expect((await fetch(`${running.url}/healthz`)).ok).toBe(true);
  });

  test.skipIf(skip !== undefined)(`the rows of the running engine are stored once when a second one was started on its folder${skip ? ` (${skip})` : ''}`, async () => {
    await prepare();
    const running = await spawnEngine('running');
    expect(await serving(running)).toBe(true);
    await sendEvents(running, 3);
    const journal = await readdir(join(dataDir, 'journal'));

    const second = await spawnEngine('second');
    await serving(second);
    expect(await readdir(join(dataDir, 'journal'))).toEqual(journal);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);

    restarted = await startTestEngine(backends, urls, { dataDir, ...servers });
    await restarted.sink.flush();
    const [stored] = await restarted.warehouse.query<{ rows: number; unique_events: number }>('SELECT count() AS rows, uniqExact(visitor_id, event_id) AS unique_events FROM {events}');
    expect(stored).toEqual({ rows: 3, unique_events: 3 });
  });

  test.skipIf(skip !== undefined)(`the folder of an engine killed with SIGKILL is taken by the next engine at once${skip ? ` (${skip})` : ''}`, async () => {
    await prepare();
    const killed = await spawnEngine('killed');
    expect(await serving(killed)).toBe(true);
    killed.child.kill('SIGKILL');
    await killed.exited;

    const next = await spawnEngine('next');
    expect(await serving(next)).toBe(true);
  });

  test.skipIf(skip !== undefined)(`an engine stopped with SIGTERM leaves no lock behind${skip ? ` (${skip})` : ''}`, async () => {
    await prepare();
    const engine = await spawnEngine('stopped');
    expect(await serving(engine)).toBe(true);
    await stat(join(dataDir, 'engine.lock'));
    engine.child.kill('SIGTERM');
    expect(await engine.exited).toBe(0);
    await expect(stat(join(dataDir, 'engine.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test.skipIf(skip !== undefined)(`an engine whose lock was removed puts it back, naming itself, and goes on serving${skip ? ` (${skip})` : ''}`, async () => {
    await prepare();
    const engine = await spawnEngine('running');
    expect(await serving(engine)).toBe(true);
    await unlink(join(dataDir, 'engine.lock'));
    const holder = await eventually(async () => JSON.parse(await readFile(join(dataDir, 'engine.lock'), 'utf8')) as { pid: number; host: string }, 15_000, 'the lock to be put back');
    expect(holder).toMatchObject({ pid: engine.child.pid, host: hostname() });
    expect(await health(engine)).toMatchObject({ status: 200, body: { ok: true, degraded: [] } });
  }, 90_000);

  test.skipIf(skip !== undefined)(`/healthz lists dataDir in degraded, still serving, while the lock cannot be refreshed, and clears it once a refresh succeeds${skip ? ` (${skip})` : ''}`, async () => {
    await prepare();
    const engine = await spawnEngine('running');
    expect(await serving(engine)).toBe(true);
    const lock = join(dataDir, 'engine.lock');
    // A directory in the lock's place fails every read (EISDIR), even for root, and keeps other engines out.
    await unlink(lock);
    await mkdir(lock);
    const failing = await eventually(async () => {
      const answer = await health(engine);
      return answer.body.degraded.includes('dataDir') ? answer : undefined;
    }, 15_000, '/healthz to list dataDir in degraded');
    expect(failing).toMatchObject({ status: 200, body: { ok: true } });
    expect(failing.body.dataDir.state).toContain(`The data folder's lock ${lock} could not be refreshed`);
    await rm(lock, { recursive: true });
    const recovered = await eventually(async () => {
      const answer = await health(engine);
      return answer.body.degraded.includes('dataDir') ? undefined : answer;
    }, 15_000, '/healthz to clear dataDir from degraded');
    expect(recovered).toMatchObject({ status: 200, body: { ok: true, degraded: [], dataDir: { state: 'ok' } } });
  }, 90_000);
});
