import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../test/support/free-port.js';

export interface BenchClickHouse {
  url: string;
  origin: string;
  stop(): Promise<void>;
}

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../deploy/local/clickhouse-server.sh', import.meta.url));

/** CLICKHOUSE_URL when set; otherwise a throwaway server started by deploy/local/clickhouse-server.sh. */
export async function startBenchClickHouse(): Promise<BenchClickHouse> {
  const given = process.env.CLICKHOUSE_URL;
  if (given !== undefined && given !== '') return { url: given, origin: 'CLICKHOUSE_URL', stop: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'tw-bench-clickhouse-'));
  const ports = [await freePort(), await freePort(), await freePort()].map(String);
  const stop = async (): Promise<void> => {
    await run('bash', [SCRIPT, 'stop', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const { stdout } = await run('bash', [SCRIPT, 'start', dir, ...ports]);
    return { url: stdout.trim().split('\n').at(-1)!, origin: 'spawned by deploy/local/clickhouse-server.sh', stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
