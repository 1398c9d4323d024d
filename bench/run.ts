/**
 * `npm run bench [-- --quick] [-- --clickhouse-server] [-- --scenarios DIR] [-- --profile] [-- --node-flags="..."] [-- --journal on|off] [-- --only a,b]`
 * `npm run bench -- --replay FILE` (NDJSON from bench/generate.ts, or a clickstream CSV)
 *
 * Measures, in one run and with one load generator (k6), the bare uWS ceiling, the engine on the
 * in-process store, on Redis and with the ClickHouse sink (chdb, and a ClickHouse server with
 * --clickhouse-server), on a Redis Cluster of three primaries, and writes
 * bench/results/latest.{md,json}.
 * Sections for --only: ceiling, memory, redis, cluster, sink, scaling, sockets.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine, findK6, startBenchClickHouse, startBenchRedis, startBenchRedisCluster, type LoadRun } from './harness/index.js';
import { renderResults, type BenchResults, type ThroughputRow } from './report/index.js';
import { runReplay } from './replay-command.js';
import {
  ceilingThroughput,
  engineName,
  engineThroughput,
  frameErrors,
  compareLatency,
  scalingRounds,
  socketMemory,
  withCeiling,
  withEngine,
  type BenchContext,
  type CeilingRuns,
  type EngineRuns,
  type StoreChoice,
} from './steps/index.js';
import { checkTargets } from './targets.js';
import { buildTarget } from './target/index.js';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const RESULTS = join(BENCH, 'results');
const SECTIONS = ['ceiling', 'memory', 'redis', 'cluster', 'sink', 'scaling', 'sockets'] as const;
const LOADS = [0.25, 0.75] as const;
/** Rounds of the scaling step in a full run (a quick run takes one): a single run per population moved 1.3× either way on these shared cores. */
const SCALING_ROUNDS = 3;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    replay: { type: 'string' },
    'clickhouse-server': { type: 'boolean', default: false },
    scenarios: { type: 'string', default: 'deploy/demo/scenarios' },
    profile: { type: 'boolean', default: false },
    'node-flags': { type: 'string', default: '' },
    only: { type: 'string' },
    journal: { type: 'string', default: 'on' },
  },
});

async function main(): Promise<void> {
  if (values.replay !== undefined) {
    await runReplay(values.replay, { scenarios: values.scenarios!, resultsDir: RESULTS });
    return;
  }
  const only = new Set(values.only?.split(',') ?? SECTIONS);
  if (values.journal !== 'on' && values.journal !== 'off') throw new Error(`--journal takes on or off, not ${values.journal}`);
  const k6 = await findK6();
  console.log('building the engine as shipped (tsc) for the target processes');
  await buildTarget();
  // Whatever started is stopped, however far the start got and whichever stop fails.
  const started: Array<{ stop(): Promise<void> }> = [];
  const start = async <T extends { stop(): Promise<void> }>(server: Promise<T>): Promise<T> => {
    const running = await server;
    started.push(running);
    return running;
  };
  try {
    const redis = await start(startBenchRedis());
    const clickhouse = values['clickhouse-server'] ? await start(startBenchClickHouse()) : undefined;
    const redisCluster = only.has('cluster') ? await start(startBenchRedisCluster()) : undefined;
    const ctx: BenchContext = {
      k6,
      quick: values.quick!,
      runId: Date.now().toString(36),
      scenarios: values.scenarios!,
      redis,
      redisCluster,
      clickhouse,
      profileDir: values.profile ? join(tmpdir(), `tripwire-profiles-${Date.now().toString(36)}`) : undefined,
      nodeFlags: values['node-flags']!.split(' ').filter(Boolean),
      journal: values.journal === 'on',
      log: (message) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`),
    };
    const results = await measureAll(ctx, only);
    await mkdir(RESULTS, { recursive: true });
    await writeFile(join(RESULTS, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(join(RESULTS, 'latest.md'), renderResults(results));
    console.log(renderResults(results));
    console.log(`written: ${join(RESULTS, 'latest.md')} and latest.json`);
    if (ctx.profileDir !== undefined) console.log(`CPU profiles: ${ctx.profileDir} (npx tsx bench/profile-top.ts FILE)`);
  } finally {
    const stopped = await Promise.allSettled(started.reverse().map((server) => server.stop()));
    for (const failed of stopped) if (failed.status === 'rejected') console.error(`a bench server did not stop: ${String(failed.reason)}`);
  }
}

async function measureAll(ctx: BenchContext, only: ReadonlySet<string>): Promise<BenchResults> {
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    mode: ctx.quick ? 'quick' : 'full',
    machine: describeMachine(ctx.k6),
    scenarios: ctx.scenarios,
    redis: ctx.redis.origin,
    redisCluster: ctx.redisCluster?.origin,
    clickhouse: ctx.clickhouse?.origin ?? 'chdb in the engine process',
    journal: ctx.journal,
    throughput: [],
    latency: [],
    redisCost: [],
    memory: { socketsHeld: 0, rssPer10kSockets: 0, heapPer10kSockets: 0, redisBytesPerVisitor: undefined, heapBytesPerVisitor: undefined },
    scaling: [],
    sink: [],
    targets: [],
    notes: [],
  };
  const ceiling = only.has('ceiling') ? await withCeiling((target) => ceilingThroughput(ctx, target)) : undefined;
  if (ceiling !== undefined) {
    for (const [size, run] of ceiling.drop) results.throughput.push(row('bare uWS, parse and drop', size, run, undefined));
    for (const [size, run] of ceiling.echo) results.throughput.push(row('bare uWS, echo', size, run, undefined));
  }
  const engines: Array<[string, StoreChoice, 'discard' | 'chdb' | 'server']> = [];
  if (only.has('memory')) engines.push(['memory', 'memory', 'discard']);
  if (only.has('redis')) engines.push(['redis', 'redis', 'discard']);
  if (only.has('cluster')) engines.push(['cluster', 'redis-cluster', 'discard']);
  if (only.has('sink')) engines.push(['sink', 'redis', 'chdb']);
  if (only.has('sink') && ctx.clickhouse !== undefined) engines.push(['sink', 'redis', 'server']);
  for (const [section, store, warehouse] of engines) {
    const name = engineName(store, warehouse);
    const measured: EngineRuns = await withEngine(ctx, store, warehouse, async (target) => {
      const runs = await engineThroughput(ctx, target, { redis: store === 'redis', sink: section === 'sink' ? name : undefined });
      // The cluster rows measure throughput only: its latency is the Redis rows' question again.
      if (section === 'memory' || section === 'redis') {
        const max = runs.runs.get(1)!.eventsPerSecond;
        // The echo server idles beside the engine until its rounds come. Beside the Redis store it
        // also answers after Redis round trips to the same Redis: the floor of a Redis-backed pop-in.
        const redisFloor = store === 'redis';
        await withCeiling(async (echo) => {
          for (const load of LOADS) {
            ctx.log(`latency: ${name} against the bare uWS echo at ${load * 100}% of ${Math.round(max)} events/s`);
            results.latency.push(await compareLatency(ctx, target, echo, name, load, max * load, redisFloor));
          }
        }, redisFloor ? ctx.redis.url : undefined);
      }
      return runs;
    });
    for (const [size, run] of measured.runs) results.throughput.push(row(name, size, run, ceiling));
    if (section === 'redis') results.redisCost.push(...measured.redisCost);
    results.sink.push(...measured.sink);
  }
  if (only.has('scaling')) {
    const populations = [1_000, 10_000, 100_000];
    for (const store of ['memory', 'redis'] as const) results.scaling.push(...(await scalingRounds(ctx, store, populations, ctx.quick ? 1 : SCALING_ROUNDS)));
    const largest = (store: StoreChoice) => results.scaling.find((r) => r.store === store && r.visitors === populations.at(-1));
    results.memory.redisBytesPerVisitor = largest('redis')?.bytesPerVisitor;
    results.memory.heapBytesPerVisitor = largest('memory')?.bytesPerVisitor;
  }
  if (only.has('sockets')) {
    const count = ctx.quick ? 5_000 : 10_000;
    const held = await withEngine(ctx, 'memory', 'discard', (target) => socketMemory(ctx, target, count));
    results.memory = { ...results.memory, socketsHeld: count, rssPer10kSockets: held.rssPer10k, heapPer10kSockets: held.heapPer10k };
  }
  results.machine.loadAverage.end = loadavg()[0]!;
  results.targets = checkTargets(results);
  results.notes = notes(results);
  return results;
}

function row(configuration: string, size: number, run: LoadRun, ceiling: CeilingRuns | undefined): ThroughputRow {
  const dropRun = ceiling?.drop.get(size);
  const drop = dropRun?.eventsPerSecond;
  const echo = ceiling?.echo.get(size)?.eventsPerSecond;
  return {
    configuration,
    eventsPerFrame: size,
    eventsPerSecond: run.eventsPerSecond,
    ofCeiling: drop === undefined ? undefined : run.eventsPerSecond / drop,
    ofEcho: echo === undefined ? undefined : run.eventsPerSecond / echo,
    cpuMicrosPerEvent: run.cpuMicrosPerEvent,
    capacityOfCeiling: dropRun === undefined ? undefined : dropRun.cpuMicrosPerEvent / run.cpuMicrosPerEvent,
    targetCores: run.targetCores,
    k6Cores: run.k6Cores,
    frameErrors: frameErrors(run),
  };
}

function notes(results: BenchResults): string[] {
  const cores = results.machine.cpus;
  return [
    `k6, the engine (or bare server) and Redis share ${cores} core(s): the "k6 cores" column shows what the load generator took. When server cores + k6 cores reach ${cores}, a figure is the machine's limit, not the server's.`,
    'Events/s are counted by the server (events accepted, parsed or echoed), as the median of half-second intervals while the load ran, not as k6 offered them.',
    'Parse-and-drop receives every frame at once in 2000-frame sessions (nothing to wait for); echo and the engine run the same closed loop (50 sockets, 16 frames in flight each, 50 frames per session; the engine acks the frames of a socket that finish together in one message).',
    '"of ceiling by CPU" divides the bare server\'s CPU time per event by the row\'s: the share of the ceiling the server would reach if the load generator ran elsewhere.',
    'Latency send times come from k6 message timestamps (k6 scripts have no sub-millisecond clock): k6 event-loop delay is included, equally for the engine and the echo.',
    'The scaling rows seed a fresh engine\'s store with that many visitors (6 events each) through the pipeline first; memory/visitor is Redis used_memory or the V8 heap after GC, divided by the visitors seeded. A full run measures each population in 3 rounds of alternating order (1k → 100k, then 100k → 1k); the rows hold the medians, and the flat-cost target the median of each round\'s 100k ÷ 1k ratio.',
  ];
}

await main();
