import { holdSockets, measureLoad } from '../harness/index.js';
import type { ScalingRow } from '../report/index.js';
import type { Target } from '../target/index.js';
import { accepted, saturationEnv, withEngine, type BenchContext, type StoreChoice } from './bench-context.js';

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

/**
 * Throughput and CPU per event with `visitors` distinct visitors: a fresh engine is seeded with
 * that many visitors' state first, then each k6 session (5 frames) picks one of them at random.
 */
export async function scalingRun(ctx: BenchContext, store: StoreChoice, visitors: number): Promise<ScalingRow> {
  return withEngine(ctx, store, 'discard', async (target) => {
    ctx.log(`scaling: ${store} store, seeding ${visitors} visitors`);
    const prefix = `pop-${ctx.runId}`;
    const memoryBefore = store === 'redis' ? (await ctx.redis.info()).usedMemory : (await target.stats({ gc: true })).heapUsed;
    const failed = await target.seed(visitors, prefix);
    if (failed > 0) throw new Error(`seeding ${visitors} visitors: ${failed} frames failed`);
    const memoryAfter = store === 'redis' ? (await ctx.redis.info()).usedMemory : (await target.stats({ gc: true })).heapUsed;
    ctx.log(`scaling: ${store} store, ${visitors} visitors under load`);
    const run = await measureLoad(ctx.k6, 'saturate.js', saturationEnv(ctx, 1, { VISITORS: visitors, FRAMES: 5 }), target, accepted);
    return {
      store,
      visitors,
      eventsPerSecond: run.eventsPerSecond,
      cpuMicrosPerEvent: run.cpuMicrosPerEvent,
      bytesPerVisitor: (memoryAfter - memoryBefore) / visitors,
    };
  });
}
