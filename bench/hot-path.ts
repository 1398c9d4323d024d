/**
 * The engine's CPU per frame without k6 or sockets: frames made as the k6 shopper makes them
 * (bench/k6/lib/shopper.js) go through the gateway's decoder, the interest tracker and the
 * pipeline of an engine on the in-process store (or, with --redis URL, on that Redis) with a
 * discarding warehouse, ~200 in flight. The CPU figures are the engine's alone, not Redis's.
 * Rows go through the engine's real BatchingSink, whose backend accepts and discards every
 * insert; --journal off leaves out its write-ahead journal (on by default, as in the engine), so
 * two runs measure what the journal costs per frame.
 *   npx tsx bench/hot-path.ts [--scenarios DIR] [--frames N] [--events-per-frame K] [--journal on|off] [--redis URL [--redis-cluster]] [--profile | --allocations]
 * --profile writes a CPU profile of the measured part only, --allocations a sampled profile of
 * every allocation it made (collected or not); read either with bench/profile-top.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseConfig } from '../engine/config/index.js';
import { startEngine, type RunningEngine } from '../engine/config/compose.js';
import { decodeFrame, type DecodeLimits } from '../engine/gateway/index.js';
import { Shopper, eventBodies } from './k6/lib/shopper.js';
import { removeRedisClusterKeys } from '../test/support/redis-cluster.js';
import { removeRedisKeys } from '../test/support/redis-server.js';
import { SeededRandom } from './generator/index.js';
import { DiscardWarehouse } from './target/index.js';

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string', default: 'engine/scenarios/pack' },
    frames: { type: 'string', default: '100000' },
    'events-per-frame': { type: 'string', default: '1' },
    warmup: { type: 'string', default: '30000' },
    'in-flight': { type: 'string', default: '200' },
    'session-frames': { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
    profile: { type: 'boolean', default: false },
    allocations: { type: 'boolean', default: false },
    redis: { type: 'string' },
    'redis-cluster': { type: 'boolean', default: false },
    journal: { type: 'string', default: 'on' },
  },
});

if (values.profile && values.allocations) throw new Error('--profile and --allocations each take the whole run: give one of them');
if (values.journal !== 'on' && values.journal !== 'off') throw new Error(`--journal is on or off, not ${values.journal}`);

const FRAMES = Number(values.frames);
const EVENTS_PER_FRAME = Number(values['events-per-frame']);
const WARMUP = Number(values.warmup);
const IN_FLIGHT = Number(values['in-flight']);
const SESSION_FRAMES = Number(values['session-frames']);

/** Deterministic, so two runs send the same stream. */
const seeded = new SeededRandom(Number(values.seed));
const random = (): number => seeded.next();

/** The k6 shopper's bodies, drawn from the seeded generator. */
const BODIES = eventBodies(random);

interface Counts {
  frames: number;
  failed: number;
  rejected: number;
}

/** What the gateway does with a socket's text frame, minus the socket: decode, track interest, submit; resolves on the reply. */
function sendFrame(engine: RunningEngine, limits: DecodeLimits, site: string, visitor: string, text: string, counts: Counts): Promise<void> {
  const receivedAt = Date.now();
  const ref = { site, visitor };
  const decoded = decodeFrame(text, ref, receivedAt, limits);
  if (!decoded.ok || decoded.problems.length > 0) {
    counts.rejected++;
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    const frame = {
      visitor: ref,
      events: decoded.events,
      receivedAt,
      reply: {
        ack: () => resolve(),
        fail: () => {
          counts.failed++;
          resolve();
        },
      },
    };
    engine.catalogue.tracker.forward(frame, (tracked) => engine.pipeline.submit(tracked));
  });
}

/** `total` frames from `IN_FLIGHT` lanes, each lane one visitor at a time, SESSION_FRAMES frames per visitor. */
async function drive(engine: RunningEngine, limits: DecodeLimits, prefix: string, total: number, counts: Counts): Promise<void> {
  const site = engine.config.sites[0]!.key;
  let issued = 0;
  let visitors = 0;
  const lane = async (): Promise<void> => {
    while (issued < total) {
      const shopper = new Shopper(`${prefix}${visitors++}`, { random, bodies: BODIES });
      for (let i = 0; i < SESSION_FRAMES && issued < total; i++) {
        issued++;
        await sendFrame(engine, limits, site, shopper.visitor, shopper.frame(EVENTS_PER_FRAME, Date.now()), counts);
        counts.frames++;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}

/** The CPU profiler (--profile) or the allocation sampler (--allocations) on the measured part; stop() writes the file. */
async function startProfiler(): Promise<{ stop(): Promise<string> } | undefined> {
  if (!values.profile && !values.allocations) return undefined;
  const session = new Session();
  session.connect();
  const write = async (extension: string, profile: unknown): Promise<string> => {
    const file = join(tmpdir(), `hot-path-${Date.now()}.${extension}`);
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
    return file;
  };
  if (values.allocations) {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 512,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    return { stop: async () => write('heapprofile', (await session.post('HeapProfiler.stopSampling')).profile) };
  }
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return { stop: async () => write('cpuprofile', (await session.post('Profiler.stop')).profile) };
}

/** Journal appends so far: the count of the engine's append-time histogram. */
async function journalAppends(engine: RunningEngine): Promise<number> {
  const samples = (await engine.metrics.warehouseJournalAppendSeconds.get()).values;
  return samples.find((sample) => sample.metricName?.endsWith('_count') === true)?.value ?? 0;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tw-hot-path-'));
  const store = values.redis === undefined ? {} : { redisUrl: values.redis, redisCluster: values['redis-cluster'], prefix: `hot${process.pid}` };
  const warehouse = { journal: values.journal === 'on' };
  const config = parseConfig({ server: { host: '127.0.0.1', port: 0 }, dataDir, log: { level: 'warn' }, scenarios: { dir: values.scenarios! }, store, warehouse });
  const engine = await startEngine(config, { warehouse: new DiscardWarehouse() });
  const limits: DecodeLimits = { ...config.gateway, maxEventAge: config.store.dedupeHorizon };
  let gcMillis = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMillis += entry.duration;
  });
  try {
    const warm: Counts = { frames: 0, failed: 0, rejected: 0 };
    await drive(engine, limits, 'warm-', WARMUP, warm);
    const profiler = await startProfiler();
    gcObserver.observe({ entryTypes: ['gc'] });
    const counts: Counts = { frames: 0, failed: 0, rejected: 0 };
    const appendsBefore = await journalAppends(engine);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await drive(engine, limits, 'v-', FRAMES, counts);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    // GC entries arrive on a later turn of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 50));
    gcObserver.disconnect();
    const cpuMicros = cpu.user + cpu.system;
    const perFrame = cpuMicros / counts.frames;
    console.log(`scenarios ${values.scenarios}, ${counts.frames} frames of ${EVENTS_PER_FRAME} event(s) after ${warm.frames} warm-up, ${IN_FLIGHT} in flight, journal ${values.journal}`);
    console.log(`CPU per frame  ${perFrame.toFixed(2)} µs   (per event ${(perFrame / EVENTS_PER_FRAME).toFixed(2)} µs; user ${(cpu.user / counts.frames).toFixed(2)}, system ${(cpu.system / counts.frames).toFixed(2)})`);
    console.log(`frames/s       ${Math.round(counts.frames / seconds)}   (${seconds.toFixed(2)} s wall; GC ${((gcMillis * 1000) / counts.frames).toFixed(2)} µs per frame)`);
    const appends = (await journalAppends(engine)) - appendsBefore;
    if (appends > 0) console.log(`journal        ${appends} appends, ${(appends / seconds).toFixed(0)}/s, one per ${(counts.frames / appends).toFixed(1)} frames`);
    if (counts.failed + counts.rejected > 0) console.log(`failed ${counts.failed}, rejected ${counts.rejected}`);
    if (profiler !== undefined) {
      const file = await profiler.stop();
      console.log(`profile        ${file}\n               npx tsx bench/profile-top.ts --per ${counts.frames} ${file}`);
    }
  } finally {
    await engine.stop();
    await rm(dataDir, { recursive: true, force: true });
    // The run's visitors would stay in that Redis for the profile TTL (months): they go with the run.
    if (values.redis !== undefined) await (values['redis-cluster'] ? removeRedisClusterKeys : removeRedisKeys)(values.redis, `hot${process.pid}`);
  }
}

await main();
