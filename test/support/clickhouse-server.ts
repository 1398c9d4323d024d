import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

/**
 * A ClickHouse server for tests: CLICKHOUSE_URL when set, otherwise a throwaway Debian
 * clickhouse-server started by deploy/local/clickhouse-server.sh in a temp folder. A missing
 * binary is a skip only when TW_REQUIRE_SERVERS is not "1"; in CI it fails the run.
 */
export type ClickHouseForTests = { url: string; stop(): Promise<void> } | { skip: string };

const run = promisify(execFile);
export const SERVER_BIN = process.env.CLICKHOUSE_SERVER_BIN ?? '/usr/sbin/clickhouse-server';
/** Starts and stops a throwaway server; .ci/run uses it too. */
export const SCRIPT = resolve(fileURLToPath(new URL('../../deploy/local/clickhouse-server.sh', import.meta.url)));


async function spawnServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tw-clickhouse-'));
  const ports = [await freePort(), await freePort(), await freePort()].map(String);
  try {
    const { stdout } = await run(SCRIPT, ['start', dir, ...ports], {
      env: { ...process.env, CLICKHOUSE_SERVER_BIN: SERVER_BIN },
    });
    const url = stdout.trim();
    return {
      url,
      stop: async () => {
        await run(SCRIPT, ['stop', dir]);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`Could not start ${SERVER_BIN} for tests: ${stderr.trim() || String(error)}`, { cause: error });
  }
}

export async function clickhouseForTests(): Promise<ClickHouseForTests> {
  const fromEnv = process.env.CLICKHOUSE_URL;
  if (fromEnv) return { url: fromEnv, stop: async () => undefined };
  if (!existsSync(SERVER_BIN)) {
    const reason = `${SERVER_BIN} is not installed and CLICKHOUSE_URL is not set`;
    if (process.env.TW_REQUIRE_SERVERS === '1') throw new Error(`TW_REQUIRE_SERVERS=1 but ${reason}.`);
    return { skip: reason };
  }
  return spawnServer();
}
