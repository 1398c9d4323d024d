import { spawn, type ChildProcess } from 'node:child_process';
import { createClient } from 'redis';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

const REDIS_SERVER = '/usr/bin/redis-server';
const START_DEADLINE_MS = 10_000;

export interface RedisForTests {
  url: string;
  /** Stops the server this helper spawned; does nothing for REDIS_URL. */
  stop(): Promise<void>;
}

export interface RedisSkipped {
  skip: string;
}

/**
 * A Redis for server-backed tests: REDIS_URL when set, else a throwaway /usr/bin/redis-server on
 * a free port with its data in a temp dir (no persistence). Without either, the suite is
 * skipped with the returned reason, unless TW_REQUIRE_SERVERS=1, where this throws instead: a
 * skip must never hide a missing server in CI. Test files share one server by using their own
 * key prefixes.
 */
export async function redisForTests(): Promise<RedisForTests | RedisSkipped> {
  const url = process.env.REDIS_URL;
  if (url !== undefined && url !== '') return { url, stop: async () => {} };
  if (!existsSync(REDIS_SERVER)) {
    const reason = `REDIS_URL is not set and ${REDIS_SERVER} is not installed`;
    if (process.env.TW_REQUIRE_SERVERS === '1') throw new Error(`${reason}, and TW_REQUIRE_SERVERS=1 requires Redis.`);
    return { skip: reason };
  }
  return spawnRedis();
}

/** A throwaway redis-server of the test's own, which it may stop and start again (on `port`) as an outage. */
export async function spawnRedis(port?: number): Promise<RedisForTests> {
  const dir = await mkdtemp(join(tmpdir(), 'tw-redis-'));
  port ??= await freePort();
  const child = spawn(REDIS_SERVER, ['--save', '', '--appendonly', 'no', '--port', String(port), '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async (): Promise<void> => {
    await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForPong(port, child);
  } catch (error) {
    await stop();
    throw new Error(`redis-server did not start on port ${port}: ${(error as Error).message}\n${output}`, {
      cause: error,
    });
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}


async function waitForPong(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    if (await answersPing(port)) return;
    if (Date.now() > deadline) throw new Error(`no PONG within ${START_DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

/** Stops a server process this helper (or another of test/support) spawned. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A shared REDIS_URL outlives the test run: a suite removes every key under its prefix. */
export async function removeRedisKeys(url: string, prefix: string): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) {
      if (keys.length > 0) await client.unlink(keys);
    }
  } finally {
    await client.close();
  }
}
