import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { freePort } from '../../test/support/free-port.js';

export interface BenchRedis {
  url: string;
  /** "spawned redis-server 7.0.15" or "REDIS_URL". */
  origin: string;
  info(): Promise<RedisCounters>;
  stop(): Promise<void>;
}

/** The Redis counters the harness turns into per-event figures. */
export interface RedisCounters {
  commands: number;
  /** Reads the server performed on client sockets: one per batch of pipelined commands it received. */
  reads: number;
  usedMemory: number;
  /** Calls per command name (INFO commandstats). */
  calls: Record<string, number>;
}

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

/** REDIS_URL when set; otherwise a throwaway redis-server on a free port, no persistence. */
export async function startBenchRedis(): Promise<BenchRedis> {
  const given = process.env.REDIS_URL;
  if (given !== undefined && given !== '') return withInfo(given, 'REDIS_URL', async () => {});
  const dir = await mkdtemp(join(tmpdir(), 'tw-bench-redis-'));
  const port = await freePort();
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const url = `redis://127.0.0.1:${port}`;
  try {
    return await withInfo(url, `spawned ${REDIS_SERVER}`, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

async function withInfo(url: string, origin: string, stop: () => Promise<void>): Promise<BenchRedis> {
  const client = createClient({ url });
  client.on('error', () => {});
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await client.connect();
      break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Redis at ${url} did not answer within 10 s`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const version = /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? '?';
  return {
    url,
    origin: `${origin} (Redis ${version})`,
    info: async () => parseInfo(await client.info('all')),
    stop: async () => {
      await client.close();
      await stop();
    },
  };
}

export function parseInfo(text: string): RedisCounters {
  const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  const calls: Record<string, number> = {};
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]!] = Number(match[2]);
  return { commands: field('total_commands_processed'), reads: field('total_reads_processed'), usedMemory: field('used_memory'), calls };
}
