import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { ENV_SETTINGS, parseConfig, type ConfigInput } from '../../engine/config/index.js';
import { startEngine, type RunningEngine } from '../../engine/config/compose.js';
import { createLogger } from '../../engine/observability/index.js';
import { clickhouseForTests } from './clickhouse-server.js';
import { redisForTests } from './redis-server.js';

export { eventually } from './eventually.js';

/** Where the engine keeps state and rows: the embedded defaults, or real Redis and ClickHouse servers. */
export type Backends = 'embedded' | 'servers';

export interface TestEngine extends RunningEngine {
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Servers for the 'servers' backends: REDIS_URL and CLICKHOUSE_URL, else spawned from the
 * Debian binaries; a reason to skip when neither is possible (never in CI: TW_REQUIRE_SERVERS=1
 * makes the spawners throw instead).
 */
export async function serverUrls(): Promise<{ redisUrl: string; clickhouseUrl: string; stop(): Promise<void> } | { skip: string }> {
  const redis = await redisForTests();
  if ('skip' in redis) return { skip: redis.skip };
  const clickhouse = await clickhouseForTests();
  if ('skip' in clickhouse) {
    await redis.stop();
    return { skip: clickhouse.skip };
  }
  return {
    redisUrl: redis.url,
    clickhouseUrl: clickhouse.url,
    stop: async () => {
      await Promise.all([redis.stop(), clickhouse.stop()]);
    },
  };
}

export interface BackendVariant {
  backends: Backends;
  /** Why this variant is skipped: never a missing server in CI (TW_REQUIRE_SERVERS=1 fails instead). */
  skip: string | undefined;
}

/**
 * The two backend sets an end-to-end suite runs on, for `describe.each`: embedded defaults, and
 * real Redis and ClickHouse servers (stopped after the file's tests).
 */
export async function backendVariants(): Promise<{ variants: BackendVariant[]; urls: { redisUrl: string; clickhouseUrl: string } | undefined }> {
  const servers = await serverUrls();
  afterAll(async () => {
    if ('stop' in servers) await servers.stop();
  });
  return {
    variants: [
      { backends: 'embedded', skip: undefined },
      { backends: 'servers', skip: 'skip' in servers ? servers.skip : undefined },
    ],
    urls: 'redisUrl' in servers ? servers : undefined,
  };
}

/**
 * Starts a whole engine on a free port, with its own data folder, key prefix and database. An
 * `overrides.dataDir` is used instead (a restart on the same folder) and stays the caller's:
 * close() removes only a folder it made, so an engine started again on it finds what this one kept.
 */
export async function startTestEngine(
  backends: Backends,
  urls: { redisUrl: string; clickhouseUrl: string } | undefined,
  overrides: ConfigInput = {},
): Promise<TestEngine> {
  const ownDataDir = typeof overrides.dataDir !== 'string';
  const dataDir = ownDataDir ? await mkdtemp(join(tmpdir(), 'tripwire-test-')) : (overrides.dataDir as string);
  const namespace = `t${randomBytes(4).toString('hex')}`;
  const servers =
    backends === 'servers'
      ? { store: { redisUrl: urls!.redisUrl, prefix: namespace }, warehouse: { clickhouseUrl: urls!.clickhouseUrl, database: namespace } }
      : {};
  const config = parseConfig(
    deepMerge(
      {
        server: { host: '127.0.0.1', port: 0 },
        dataDir,
        warehouse: { flushInterval: 100 },
        timers: { pollInterval: 50 },
        log: { level: 'warn' },
        ...servers,
      },
      overrides,
    ),
  );
  const engine = await startEngine(config, { logger: createLogger(config.log.level, process.stderr) });
  return {
    ...engine,
    dataDir,
    close: async () => {
      await engine.stop();
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** startTestEngine on a scenario folder of its own holding `files` (file name → YAML), which close() removes too. */
export async function startTestEngineWithScenarios(
  backends: Backends,
  urls: { redisUrl: string; clickhouseUrl: string } | undefined,
  files: Record<string, string>,
): Promise<TestEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'tripwire-scenarios-'));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const engine = await startTestEngine(backends, urls, { scenarios: { dir } });
    return {
      ...engine,
      close: async () => {
        await engine.close();
        await removeDir();
      },
    };
  } catch (error) {
    await removeDir();
    throw error;
  }
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    const bothObjects = isObject(current) && isObject(value);
    out[key] = bothObjects ? deepMerge(current, value) : value;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Records in the engine's window store that the visitor consented to marketing email, as a
 * `consent {email: true}` event would: the mailer asks before each marketing send, so a test
 * that queues a job directly gives its visitor the consent a trigger would have required.
 */
export async function grantEmailConsent(engine: RunningEngine, site: string, visitor: string): Promise<void> {
  await engine.store.apply({
    visitor: { site, visitor },
    now: Date.now(),
    withProfile: false,
    events: [{ eventId: `consent-${randomBytes(6).toString('hex')}`, ops: [{ kind: 'hash.set', hash: 'profile', field: 'consent.email', value: '1' }] }],
  });
}

/**
 * The environment of an engine process a test starts with `TW_CONFIG`: the runner's, without the
 * variables that override a config file. CI exports REDIS_URL and CLICKHOUSE_URL, which win over
 * the file, so an 'embedded' engine process would keep its state in the CI Redis and store its
 * rows on the ClickHouse server's default database. Only the file says where they go.
 */
export function engineProcessEnvironment(configFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TW_CONFIG: configFile };
  for (const setting of ENV_SETTINGS) delete env[setting.env];
  return env;
}
