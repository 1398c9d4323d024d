import { measureLoad, summaryValue, type LoadRun, type RedisCounters } from '../harness/index.js';
import type { RedisCostRow, SinkRow } from '../report/index.js';
import type { Target, TargetStats } from '../target/index.js';
import { accepted, saturationEnv, type BenchContext } from './bench-context.js';

export const FRAME_SIZES = [1, 10] as const;
/** Long blast sessions: reconnecting every 50 frames would measure k6's connection setup, not the server. */
const BLAST_FRAMES = 2000;

export interface CeilingRuns {
  drop: Map<number, LoadRun>;
  echo: Map<number, LoadRun>;
}

/**
 * The bare uWS server at each frame size: parse-and-drop with every frame sent at once (nothing
 * to wait for), and echo in the same closed loop as the engine (each reply frees a slot).
 */
export async function ceilingThroughput(ctx: BenchContext, target: Target): Promise<CeilingRuns> {
  const runs: CeilingRuns = { drop: new Map(), echo: new Map() };
  for (const size of FRAME_SIZES) {
    ctx.log(`ceiling: parse-and-drop, ${size} event(s) per frame`);
    runs.drop.set(size, await measureLoad(ctx.k6, 'saturate.js', saturationEnv(ctx, size, { BLAST: 1, FRAMES: BLAST_FRAMES }), target, accepted));
    ctx.log(`ceiling: echo, ${size} event(s) per frame`);
    const echoed = (stats: TargetStats): number => stats.echoed * size;
    runs.echo.set(size, await measureLoad(ctx.k6, 'saturate.js', saturationEnv(ctx, size, { LIVE_PATH: '/echo' }), target, echoed));
  }
  return runs;
}

export interface EngineRuns {
  runs: Map<number, LoadRun>;
  redisCost: RedisCostRow[];
  sink: SinkRow[];
}

/** The engine at max throughput for each frame size, with Redis counters and sink lag around each run. */
export async function engineThroughput(ctx: BenchContext, target: Target, options: { redis: boolean; sink: string | undefined }): Promise<EngineRuns> {
  const result: EngineRuns = { runs: new Map(), redisCost: [], sink: [] };
  for (const size of FRAME_SIZES) {
    ctx.log(`engine: max throughput, ${size} event(s) per frame`);
    const before = options.redis ? await ctx.redis.info() : undefined;
    const run = await measureLoad(ctx.k6, 'saturate.js', saturationEnv(ctx, size), target, accepted);
    result.runs.set(size, run);
    const events = run.samples.at(-1)!.count - run.samples[0]!.count;
    if (before !== undefined) result.redisCost.push(redisCost(size, before, await ctx.redis.info(), events));
    if (options.sink !== undefined) result.sink.push(await sinkLag(target, run, size, options.sink));
  }
  return result;
}

/** Share of frames refused or unanswered; saturation sessions count them (frames_failed / frames_settled). */
export function frameErrors(run: LoadRun): number {
  const settled = summaryValue(run.k6.summary, 'frames_settled', 'count') ?? 0;
  return settled === 0 ? 0 : (summaryValue(run.k6.summary, 'frames_failed', 'count') ?? 0) / settled;
}

function redisCost(eventsPerFrame: number, before: RedisCounters, after: RedisCounters, events: number): RedisCostRow {
  const callsPerEvent: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after.calls)) {
    const delta = calls - (before.calls[name] ?? 0);
    if (delta > 0 && name !== 'info') callsPerEvent[name] = delta / events;
  }
  // The harness's own INFO call is one command and one read: not the engine's.
  return {
    eventsPerFrame,
    commandsPerEvent: (after.commands - before.commands - 1) / events,
    roundTripsPerEvent: (after.reads - before.reads - 1) / events,
    callsPerEvent,
  };
}

const bufferedRows = (stats: TargetStats): number => Object.values(stats.sinkBuffered).reduce((sum, rows) => sum + rows, 0);

/** How far the sink fell behind during the run, and how long it took to catch up after. */
async function sinkLag(target: Target, run: LoadRun, eventsPerFrame: number, warehouse: string): Promise<SinkRow> {
  const bufferedAtEnd = bufferedRows(run.samples.at(-1)!.stats);
  const started = performance.now();
  let drainSeconds: number | undefined;
  while (performance.now() - started < 60_000) {
    if (bufferedRows(await target.stats()) === 0) {
      drainSeconds = (performance.now() - started) / 1000;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    warehouse,
    eventsPerFrame,
    eventsPerSecond: run.eventsPerSecond,
    maxBufferedRows: Math.max(...run.samples.map((sample) => bufferedRows(sample.stats))),
    bufferedAtEnd,
    drainSeconds,
  };
}
