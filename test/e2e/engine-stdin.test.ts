/*
 * The embedded warehouse (chdb, in the engine's process) reads the process's fd 0 as an INSERT's
 * external data (chdb-io/chdb-core#239). An engine started with data waiting on its stdin
 * (`echo hello | tripwire start`, a supervisor that leaves a pipe open) failed its first migration,
 * or, on a folder already migrated, every insert: rows went to spill/ for as long as it ran.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { freePort } from '../support/free-port.js';
import { SocketClient } from '../support/socket-client.js';
import { eventually } from '../support/test-engine.js';

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

test('an engine started with data on its stdin creates its schema and stores rows', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'tripwire-engine-stdin-'));
  folders.push(dataDir);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, TW_CONFIG: '', CLICKHOUSE_URL: '', REDIS_URL: '', SMTP_URL: '', HOST: '127.0.0.1', PORT: String(port), TW_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  const engine = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/main.ts', 'start'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  engine.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  engine.stdin.end('hello\n');
  const exited = new Promise<number | null>((resolve) => engine.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  try {
    const url = `http://127.0.0.1:${port}`;
    await eventually(async () => {
      if (exitCode !== undefined) throw new Error(`the engine exited (${exitCode}): ${stderr}`);
      return (await fetch(`${url}/healthz`).catch(() => undefined))?.ok ? true : undefined;
    }, 60_000, 'the engine to serve');

    const client = await SocketClient.open(url, 'demo', 'stdin-visitor');
    client.send(JSON.stringify({ b: [{ i: 'stdin-event', t: 'page', ts: Date.now(), u: 'https://shop.example/' }] }));
    await client.acked(['stdin-event']);
    client.close();
    engine.kill('SIGTERM');

    // A stop stores every row it holds, or spills the batches the warehouse refused.
    expect(await exited, stderr).toBe(0);
    expect(await readdir(join(dataDir, 'spill')).catch(() => [])).toEqual([]);
    expect(stderr).not.toContain('TW_WAREHOUSE');
  } finally {
    engine.kill('SIGKILL');
  }
}, 120_000);
