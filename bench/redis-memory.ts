/**
 * Redis memory per active visitor, and where it goes:
 *   npx tsx bench/redis-memory.ts [--scenarios DIR] [--visitors N] [--show]
 * Starts a throwaway redis-server (or uses REDIS_URL) and an engine on it with the scenarios
 * (default: the whole built-in pack) and a discarding warehouse, seeds N visitors (6-event
 * sessions, as the bench's scaling step), then prints Redis used_memory growth per visitor and
 * MEMORY USAGE of each key of one seeded visitor. Keys outside the visitor (the due index, the
 * catalogue's interest sets) are summed separately: they are shared, so they grow slower.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { parseConfig } from '../engine/config/index.js';
import { startEngine } from '../engine/config/compose.js';
import { startBenchRedis } from './harness/index.js';
import { DiscardWarehouse, seedVisitors } from './target/index.js';

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string', default: 'engine/scenarios/pack' },
    visitors: { type: 'string', default: '2000' },
    /** Also prints what each of the visitor's keys holds. */
    show: { type: 'boolean', default: false },
  },
});
const visitors = Number(values.visitors);
if (!Number.isInteger(visitors) || visitors <= 0) throw new Error(`--visitors must be a positive integer, not ${values.visitors}`);

const DUMP_COMMANDS: Record<string, (key: string) => string[]> = {
  string: (key) => ['GET', key],
  hash: (key) => ['HGETALL', key],
  zset: (key) => ['ZRANGE', key, '0', '-1', 'WITHSCORES'],
  list: (key) => ['LRANGE', key, '0', '-1'],
  set: (key) => ['SMEMBERS', key],
};

const redis = await startBenchRedis();
const dataDir = await mkdtemp(join(tmpdir(), 'tw-redis-memory-'));
const prefix = `m${randomBytes(3).toString('hex')}`;
const client = createClient({ url: redis.url });
await client.connect();
const engine = await startEngine(
  parseConfig({
    server: { host: '127.0.0.1', port: 0 },
    dataDir,
    log: { level: 'warn' },
    scenarios: { dir: values.scenarios },
    store: { redisUrl: redis.url, prefix },
  }),
  { warehouse: new DiscardWarehouse() },
);

try {
  const before = (await redis.info()).usedMemory;
  const failed = await seedVisitors(engine, visitors, 'mem');
  if (failed > 0) throw new Error(`${failed} of ${visitors} seeded frames failed`);
  const after = (await redis.info()).usedMemory;
  const site = engine.config.sites[0]!.key;

  const visitorKeys = await keysMatching(`${prefix}:{${site}:mem-0}:*`);
  const visitorRows = await Promise.all(visitorKeys.map(describeKey));
  const shared = (await keysMatching(`${prefix}:*`)).filter((key) => !key.startsWith(`${prefix}:{${site}:mem-`));
  const sharedBytes = (await Promise.all(shared.map(describeKey))).reduce((sum, row) => sum + row.bytes, 0);

  console.log(`${redis.origin}; scenarios ${values.scenarios}; ${visitors} visitors seeded`);
  console.log(`used_memory growth per visitor: ${Math.round((after - before) / visitors)} B`);
  console.log(`\nkeys of one visitor (${prefix}:{${site}:mem-0}:…), MEMORY USAGE:`);
  for (const row of visitorRows.sort((a, b) => b.bytes - a.bytes)) {
    console.log(`  ${row.bytes.toString().padStart(5)} B  ${row.type.padEnd(6)} ${row.name}`);
    if (values.show) console.log(`           ${JSON.stringify(await client.sendCommand(DUMP_COMMANDS[row.type]!(row.key)))}`);
  }
  const own = visitorRows.reduce((sum, row) => sum + row.bytes, 0);
  console.log(`  ${own.toString().padStart(5)} B  in ${visitorRows.length} keys`);
  console.log(`shared keys (due index, interest sets): ${shared.length} keys, ${Math.round(sharedBytes / visitors)} B per visitor`);
} finally {
  await engine.stop();
  await client.close();
  await redis.stop();
  await rm(dataDir, { recursive: true, force: true });
}

async function keysMatching(match: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of client.scanIterator({ MATCH: match, COUNT: 1000 })) keys.push(...page);
  return keys;
}

async function describeKey(key: string): Promise<{ key: string; name: string; type: string; bytes: number }> {
  const [type, bytes] = await Promise.all([client.type(key), client.memoryUsage(key)]);
  const name = key.slice(key.indexOf('}:') + 2) || key;
  return { key, name, type, bytes: bytes ?? 0 };
}
