import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigInput } from '../../engine/config/index.js';
import type { BenchClickHouse, BenchRedis, BenchRedisCluster } from '../harness/index.js';
import { spawnTarget, type Target, type TargetStats } from '../target/index.js';

export interface BenchContext {
  k6: string;
  quick: boolean;
  /** Prefix of k6 visitor ids, shared with seeded visitors. */
  runId: string;
  scenarios: string;
  redis: BenchRedis;
  /** For the cluster rows (`--only cluster`, and the full run); started only when they run. */
  redisCluster: BenchRedisCluster | undefined;
  /** A ClickHouse server for the sink step; chdb in process when absent. */
  clickhouse: BenchClickHouse | undefined;
  profileDir: string | undefined;
  /** Node/V8 flags for every engine process (not the bare servers). */
  nodeFlags: readonly string[];
  /** The warehouse journal of every engine (`--journal on|off`; on, as the engine ships). */
  journal: boolean;
  log(message: string): void;
}

export type StoreChoice = 'memory' | 'redis' | 'redis-cluster';
export type WarehouseChoice = 'discard' | 'chdb' | 'server';

export function engineName(store: StoreChoice, warehouse: WarehouseChoice): string {
  const stores = { memory: 'in-process store', redis: 'Redis store', 'redis-cluster': 'Redis Cluster store (3 primaries)' };
  const warehouses = { discard: 'no warehouse', chdb: 'chdb sink', server: 'ClickHouse server sink' };
  return `engine, ${stores[store]}, ${warehouses[warehouse]}`;
}

/** Starts an engine in its own process with the chosen backends, runs `use`, stops it. */
export async function withEngine<T>(ctx: BenchContext, store: StoreChoice, warehouse: WarehouseChoice, use: (target: Target) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tw-bench-engine-'));
  const namespace = `b${randomBytes(4).toString('hex')}`;
  const config: ConfigInput = {
    server: { host: '127.0.0.1', port: 0 },
    dataDir,
    log: { level: 'warn' },
    scenarios: { dir: ctx.scenarios },
    warehouse: { journal: ctx.journal },
  };
  if (store === 'redis') config.store = { redisUrl: ctx.redis.url, prefix: namespace };
  if (store === 'redis-cluster') config.store = { redisUrl: ctx.redisCluster!.url, redisCluster: true, prefix: namespace };
  if (warehouse === 'server') config.warehouse = { ...config.warehouse, clickhouseUrl: ctx.clickhouse!.url, database: namespace };
  const target = await spawnTarget(
    { kind: 'engine', config, warehouse: warehouse === 'discard' ? 'discard' : 'configured' },
    { cpuProfileDir: ctx.profileDir === undefined ? undefined : join(ctx.profileDir, `${store}-${warehouse}`), nodeFlags: ctx.nodeFlags },
  );
  try {
    return await use(target);
  } finally {
    await target.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Starts the bare uWS server in its own process, with its Redis echo routes when given a Redis URL. */
export async function withCeiling<T>(use: (target: Target) => Promise<T>, redisUrl?: string): Promise<T> {
  const target = await spawnTarget(redisUrl === undefined ? { kind: 'ceiling' } : { kind: 'ceiling', redisUrl });
  try {
    return await use(target);
  } finally {
    await target.stop();
  }
}

export const accepted = (stats: TargetStats): number => stats.events;

export const SATURATION = { VUS: 50, FRAMES: 50, WINDOW: 16 } as const;

/**
 * k6 names fresh visitors by RUN_ID, VU and iteration, which every k6 run numbers from 1 and 0
 * again: two runs against one engine under one RUN_ID would share visitors (a probe finding its
 * own earlier views fires no pop-in). So each run of fresh visitors gets an id of its own; a run
 * drawing from a seeded population (VISITORS) keeps the bench's, which the seeding used.
 */
export function k6RunId(ctx: BenchContext, run: string): string {
  return `${ctx.runId}-${run}`;
}

export function saturationEnv(ctx: BenchContext, eventsPerFrame: number, extra: Record<string, string | number> = {}): Record<string, string | number> {
  const runId = extra.VISITORS === undefined ? k6RunId(ctx, `f${eventsPerFrame}`) : ctx.runId;
  return { ...SATURATION, EVENTS: eventsPerFrame, DURATION: ctx.quick ? '5s' : '15s', RUN_ID: runId, ...extra };
}
