import { holdSockets, measureLoad } from '../harness/index.js';
import type { ScalingRow } from '../report/index.js';
import type { Target } from '../target/index.js';
import { accepted, saturationEnv, withEngine, type BenchContext, type StoreChoice } from './bench-context.js';
import { medianOf } from './median.js';

/** Engine memory growth while `count` idle tracker sockets are open, scaled to 10k sockets. */
export async function socketMemory(ctx: BenchContext, target: Target, count: number): Promise<{ rssPer10k: number; heapPer10k: number }> {
  ctx.log(`memory: holding ${count} idle sockets`);
  const before = await target.stats({ gc: true });
  const held = await holdSockets(target.url, count);
  try {
    const during = await target.stats({ gc: true });
    return { rssPer10k: ((during.rss - before.rss) * 10_000) / count, heapPer10k: ((during.heapUsed - before.heapUsed) * 10_000) / count };
  } finally {
    await held.release();
  }
}

/** One fresh engine's figures with a population of visitors. */
interface ScalingRun {
  eventsPerSecond: number;
  cpuMicrosPerEvent: number;
  bytesPerVisitor: number;
}

/**
 * Throughput and CPU per event as the visitors grow, each population measured in `rounds`
 * rounds of alternating order (small to large, then large to small): the machine's drift over
 * the step (other work on the shared cores) then weighs on every population alike rather than
 * reading as a growth with visitors. A row holds the medians over the rounds and each round's
 * CPU per event, so growth can be read round by round, as the latency step reads its ratios.
 */
export async function scalingRounds(ctx: BenchContext, store: StoreChoice, populations: readonly number[], rounds: number): Promise<ScalingRow[]> {
  const runs = new Map<number, ScalingRun[]>(populations.map((visitors) => [visitors, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? populations : [...populations].reverse();
    for (const visitors of order) runs.get(visitors)!.push(await scalingRun(ctx, store, visitors, `round ${round + 1} of ${rounds}`));
  }
  return populations.map((visitors) => {
    const measured = runs.get(visitors)!;
    return {
      store,
      visitors,
      eventsPerSecond: medianOf(measured.map((run) => run.eventsPerSecond)),
      cpuMicrosPerEvent: medianOf(measured.map((run) => run.cpuMicrosPerEvent)),
      cpuRounds: measured.map((run) => run.cpuMicrosPerEvent),
      bytesPerVisitor: medianOf(measured.map((run) => run.bytesPerVisitor)),
    };
  });
}

/**
 * Throughput and CPU per event with `visitors` distinct visitors: a fresh engine is seeded with
 * that many visitors' state first, then each k6 session (5 frames) picks one of them at random.
 */
async function scalingRun(ctx: BenchContext, store: StoreChoice, visitors: number, round: string): Promise<ScalingRun> {
  return withEngine(ctx, store, 'discard', async (target) => {
    ctx.log(`scaling (${round}): ${store} store, seeding ${visitors} visitors`);
    const prefix = `pop-${ctx.runId}`;
    const memoryBefore = store === 'redis' ? (await ctx.redis.info()).usedMemory : (await target.stats({ gc: true })).heapUsed;
    const failed = await target.seed(visitors, prefix);
    if (failed > 0) throw new Error(`seeding ${visitors} visitors: ${failed} frames failed`);
    const memoryAfter = store === 'redis' ? (await ctx.redis.info()).usedMemory : (await target.stats({ gc: true })).heapUsed;
    ctx.log(`scaling (${round}): ${store} store, ${visitors} visitors under load`);
    const run = await measureLoad(ctx.k6, 'saturate.js', saturationEnv(ctx, 1, { VISITORS: visitors, FRAMES: 5 }), target, accepted);
    ctx.log(`  ${run.cpuMicrosPerEvent.toFixed(1)} µs of engine CPU per event, ${Math.round(run.eventsPerSecond)} events/s`);
    return { eventsPerSecond: run.eventsPerSecond, cpuMicrosPerEvent: run.cpuMicrosPerEvent, bytesPerVisitor: (memoryAfter - memoryBefore) / visitors };
  });
}
