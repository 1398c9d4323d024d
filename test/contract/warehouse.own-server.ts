import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SCRIPT, SERVER_BIN } from '../support/clickhouse-server.js';
import { freePort } from '../support/free-port.js';

/**
 * A ClickHouse server this test file owns alone, because it kills it or configures it: a shared
 * CLICKHOUSE_URL server cannot be used for that. Started with deploy/local/clickhouse-server.sh
 * from the Debian binary; when the binary is missing the caller skips, except under
 * TW_REQUIRE_SERVERS=1 where this throws.
 */
export interface OwnClickHouse {
  url: string;
  dir: string;
  /** SIGKILL: no shutdown, no flush, as a crashed or OOM-killed server. */
  kill(): Promise<void>;
  /** Starts the server (again, after kill() or `started: false`) on the same ports and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const run = promisify(execFile);


/**
 * `extraConfig` is written to config.d/, e.g. macros and a cluster for DDL checks. With
 * `started: false` the ports are picked but nothing listens until restart(): a server that comes
 * up after the engine.
 */
export async function ownClickHouse(extraConfig?: string, options: { started?: boolean } = {}): Promise<OwnClickHouse | { skip: string }> {
  if (!existsSync(SERVER_BIN)) {
    const reason = `${SERVER_BIN} is not installed (this suite needs a server of its own, which it kills or configures)`;
    if (process.env.TW_REQUIRE_SERVERS === '1') throw new Error(`TW_REQUIRE_SERVERS=1 but ${reason}.`);
    return { skip: reason };
  }
  const dir = await mkdtemp(join(tmpdir(), 'tw-own-clickhouse-'));
  if (extraConfig !== undefined) {
    await mkdir(join(dir, 'config.d'), { recursive: true });
    await writeFile(join(dir, 'config.d', 'tripwire-test.xml'), extraConfig);
  }
  const ports = [await freePort(), await freePort(), await freePort()].map(String);
  const start = async (): Promise<string> => {
    const { stdout } = await run(SCRIPT, ['start', dir, ...ports], { env: { ...process.env, CLICKHOUSE_SERVER_BIN: SERVER_BIN } });
    return stdout.trim();
  };
  const url = options.started === false ? `http://127.0.0.1:${ports[0]!}` : await start();
  return {
    url,
    dir,
    kill: async () => {
      const pid = Number((await readFile(join(dir, 'clickhouse-server.pid'), 'utf8')).trim());
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          return;
        }
        await new Promise((resolveWait) => setTimeout(resolveWait, 50));
      }
      throw new Error(`clickhouse-server ${pid} survived SIGKILL`);
    },
    restart: async () => {
      await start();
    },
    stop: async () => {
      await run(SCRIPT, ['stop', dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
