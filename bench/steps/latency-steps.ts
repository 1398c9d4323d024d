import { measureLoad, summaryValue } from '../harness/index.js';
import type { Target, TargetStats } from '../target/index.js';
import { accepted, type BenchContext } from './bench-context.js';

export interface LatencyRun {
  offered: number;
  achieved: number;
  p50: number;
  p95: number;
  p99: number;
  missed: number;
}

const PROBE_RATE = 30;
/** Background sockets send 50 one-event frames, one every 20 ms: a second each, like the saturation runs' 50-frame sessions. */
const BACKGROUND = { BG_FRAMES: 50, BG_EVENTS: 1, BG_THINK_MS: 20 } as const;

/**
 * Pop-in latency (or, against the bare server's /echo, the round trip) while background sockets
 * offer `eventsPerSecond` in total, probes included.
 */
export async function latencyAt(ctx: BenchContext, target: Target, eventsPerSecond: number, echo: boolean): Promise<LatencyRun> {
  const probeEvents = PROBE_RATE * 3;
  const bgRate = Math.max(1, Math.round((eventsPerSecond - probeEvents) / BACKGROUND.BG_FRAMES));
  const env: Record<string, string | number> = {
    ...BACKGROUND,
    PROBE_RATE,
    BG_RATE: bgRate,
    DURATION: ctx.quick ? '8s' : '20s',
    RUN_ID: ctx.runId,
    P99_MS: 1e9,
  };
  if (echo) Object.assign(env, { ECHO: 1, LIVE_PATH: '/echo' });
  const count = echo ? (stats: TargetStats) => stats.echoed : accepted;
  const run = await measureLoad(ctx.k6, 'popin-latency.js', env, target, count);
  const trend = (field: string): number => summaryValue(run.k6.summary, 'popin_latency_ms', field) ?? Number.NaN;
  return {
    offered: bgRate * BACKGROUND.BG_FRAMES + probeEvents,
    achieved: run.eventsPerSecond,
    p50: trend('p(50)'),
    p95: trend('p(95)'),
    p99: trend('p(99)'),
    missed: summaryValue(run.k6.summary, 'popin_missed', 'value') ?? 0,
  };
}
