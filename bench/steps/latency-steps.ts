import { measureLoad, summaryValue } from '../harness/index.js';
import { quantileBetween } from '../histogram/index.js';
import { pct, type LatencyRow, type RedisFloor } from '../report/index.js';
import type { Target, TargetPauses, TargetStats } from '../target/index.js';
import { accepted, k6RunId, type BenchContext } from './bench-context.js';
import { medianOf } from './median.js';

interface LatencyRun {
  offered: number;
  achieved: number;
  p50: number;
  p95: number;
  p99: number;
  missed: number;
  /** Cores the target and k6 used while the load ran: near 2 together, the server waits for a core. */
  cores: number;
  k6Cores: number;
  /** Share of the time the target's main thread waited for a core. */
  waitShare: number;
  /** The target's event-loop delay and GC pauses while the load ran. */
  pauses: TargetPauses;
  /**
   * Every pop-in of the run, background visitors' too, timed inside the engine, ms
   * (tripwire_popin_seconds, from its buckets): from reading the frame that fired it off the
   * socket to writing it. NaN for the echo.
   */
  insideP50: number;
  insideP99: number;
  /** The histogram's last finite bound, ms: a quantile there means "at least". */
  insideLastBoundMs: number;
}

const PROBE_RATE = 60;
/** Background sockets send 50 one-event frames, one every 20 ms: a second each, like the saturation runs' 50-frame sessions. */
const BACKGROUND = { BG_FRAMES: 50, BG_EVENTS: 1, BG_THINK_MS: 20 } as const;

/** What a round measures: the engine's pop-in, or the 3rd frame's reply on one of the bare server's echo routes. */
type RoundSide = { kind: 'engine' } | { kind: 'echo'; path: string };

const ENGINE: RoundSide = { kind: 'engine' };
const ECHO: RoundSide = { kind: 'echo', path: '/echo' };
const REDIS_TRIPS = [1, 2] as const;
const redisEcho = (trips: number): RoundSide => ({ kind: 'echo', path: trips === 1 ? '/redis-echo' : `/redis-echo-${trips}` });

/**
 * Pop-in latency (or, against one of the bare server's echo routes, the round trip) while
 * background sockets offer `eventsPerSecond` in total, probes included.
 */
async function latencyRun(ctx: BenchContext, target: Target, eventsPerSecond: number, side: RoundSide, runId: string): Promise<LatencyRun> {
  const echo = side.kind === 'echo';
  const probeEvents = PROBE_RATE * 3;
  const bgRate = Math.max(1, Math.round((eventsPerSecond - probeEvents) / BACKGROUND.BG_FRAMES));
  const env: Record<string, string | number> = {
    ...BACKGROUND,
    PROBE_RATE,
    BG_RATE: bgRate,
    DURATION: ctx.quick ? '4s' : '12s',
    RUN_ID: runId,
    P99_MS: 1e9,
  };
  if (side.kind === 'echo') Object.assign(env, { ECHO: 1, LIVE_PATH: side.path });
  const count = echo ? (stats: TargetStats) => stats.echoed : accepted;
  await target.pauses();
  const run = await measureLoad(ctx.k6, 'popin-latency.js', env, target, count);
  const trend = (field: string): number => summaryValue(run.k6.summary, 'popin_latency_ms', field) ?? Number.NaN;
  const [first, last] = [run.samples[0]!.stats.popinSeconds, run.samples.at(-1)!.stats.popinSeconds];
  const inside = (q: number): number => quantileBetween(first, last, q) * 1000;
  return {
    offered: bgRate * BACKGROUND.BG_FRAMES + probeEvents,
    achieved: run.eventsPerSecond,
    p50: trend('p(50)'),
    p95: trend('p(95)'),
    p99: trend('p(99)'),
    missed: summaryValue(run.k6.summary, 'popin_missed', 'value') ?? 0,
    cores: run.targetCores,
    k6Cores: run.k6Cores,
    waitShare: run.targetWaitShare,
    pauses: await target.pauses(),
    insideP50: inside(0.5),
    insideP99: inside(0.99),
    insideLastBoundMs: (last.bounds.at(-1) ?? Number.NaN) * 1000,
  };
}

/** The visitor prefix of one latency round: its probes never meet another round's visitors. */
export function latencyRunId(ctx: BenchContext, load: number, round: number): string {
  return k6RunId(ctx, `l${Math.round(load * 100)}r${round}`);
}

/**
 * The engine's pop-in latency against the bare echo's round trip at the same offered rate, in
 * alternating rounds (engine, echo, engine, echo...): a p99 from a few hundred probes moves a lot
 * between runs on a shared machine, and alternating spreads that drift over both sides. With
 * `redisFloor` (the engine runs on Redis, the bare server holds a connection to the same Redis)
 * each round also runs the bare server's echo after one and after two Redis round trips.
 */
export async function compareLatency(
  ctx: BenchContext,
  engine: Target,
  echo: Target,
  configuration: string,
  load: number,
  eventsPerSecond: number,
  redisFloor = false,
): Promise<LatencyRow> {
  const engineRuns: LatencyRun[] = [];
  const echoRuns: LatencyRun[] = [];
  const floorRuns = new Map<number, LatencyRun[]>(redisFloor ? REDIS_TRIPS.map((trips) => [trips, []]) : []);
  for (let round = 0; round < (ctx.quick ? 3 : 5); round++) {
    const runId = latencyRunId(ctx, load, round);
    engineRuns.push(await latencyRun(ctx, engine, eventsPerSecond, ENGINE, runId));
    echoRuns.push(await latencyRun(ctx, echo, eventsPerSecond, ECHO, runId));
    for (const [trips, runs] of floorRuns) runs.push(await latencyRun(ctx, echo, eventsPerSecond, redisEcho(trips), runId));
    const [e, b] = [engineRuns.at(-1)!, echoRuns.at(-1)!];
    const floors = [...floorRuns].map(([trips, runs]) => `; echo after ${trips} Redis round trip(s) ${roundSummary(runs.at(-1)!)}`).join('');
    ctx.log(
      `  round ${round + 1}: engine ${roundSummary(e)}, all pop-ins inside the engine p99 ${e.insideP99.toFixed(2)} ms, loop delay p99 ${e.pauses.loopDelayP99.toFixed(1)} ms, longest GC ${e.pauses.gcMaxMs.toFixed(1)} ms (${longestGcKind([e.pauses.gcMaxMsByKind]) ?? 'none'}); echo ${roundSummary(b)}${floors}`,
    );
  }
  const ofEngine = (pick: (run: LatencyRun, round: number) => number): number => medianOf(engineRuns.map(pick));
  const ofEcho = (pick: (run: LatencyRun) => number): number => medianOf(echoRuns.map(pick));
  return {
    configuration,
    load,
    rounds: engineRuns.length,
    offeredEventsPerSecond: engineRuns[0]!.offered,
    achievedEventsPerSecond: ofEngine((run) => run.achieved),
    p50: ofEngine((run) => run.p50),
    p95: ofEngine((run) => run.p95),
    p99: ofEngine((run) => run.p99),
    insideP50: ofEngine((run) => run.insideP50),
    insideP99: ofEngine((run) => run.insideP99),
    insideLastBoundMs: engineRuns[0]!.insideLastBoundMs,
    echoP50: ofEcho((run) => run.p50),
    echoP99: ofEcho((run) => run.p99),
    p99Rounds: engineRuns.map((run) => run.p99),
    echoP99Rounds: echoRuns.map((run) => run.p99),
    // Each engine round against the echo round that ran beside it, not medians taken apart.
    p99Ratio: ofEngine((run, round) => run.p99 / echoRuns[round]!.p99),
    missed: ofEngine((run) => run.missed),
    engineCores: ofEngine((run) => run.cores),
    engineK6Cores: ofEngine((run) => run.k6Cores),
    echoCores: ofEcho((run) => run.cores),
    echoK6Cores: ofEcho((run) => run.k6Cores),
    engineWaitShare: ofEngine((run) => run.waitShare),
    echoWaitShare: ofEcho((run) => run.waitShare),
    engineLoopDelayP99: ofEngine((run) => run.pauses.loopDelayP99),
    engineGcMaxMs: Math.max(...engineRuns.map((run) => run.pauses.gcMaxMs)),
    engineGcMaxKind: longestGcKind(engineRuns.map((run) => run.pauses.gcMaxMsByKind)),
    insideP99Rounds: engineRuns.map((run) => run.insideP99),
    engineGcMaxMsByKindRounds: engineRuns.map((run) => run.pauses.gcMaxMsByKind),
    ...(redisFloor ? { redisFloors: [...floorRuns].map(([trips, runs]) => floorOf(trips, runs, engineRuns, echoRuns)) } : {}),
  };
}

function floorOf(trips: number, runs: readonly LatencyRun[], engineRuns: readonly LatencyRun[], echoRuns: readonly LatencyRun[]): RedisFloor {
  const of = (pick: (run: LatencyRun, round: number) => number): number => medianOf(runs.map(pick));
  return {
    trips,
    p50: of((run) => run.p50),
    p99: of((run) => run.p99),
    p99Rounds: runs.map((run) => run.p99),
    ofEcho: of((run, round) => run.p99 / echoRuns[round]!.p99),
    engineOver: of((run, round) => engineRuns[round]!.p99 / run.p99),
    cores: of((run) => run.cores),
    waitShare: of((run) => run.waitShare),
  };
}

/** One side of a round for the progress log: its p99, the cores it and k6 took, its wait for a core. */
function roundSummary(run: LatencyRun): string {
  return `p99 ${run.p99.toFixed(2)} ms (${run.cores.toFixed(2)} + k6 ${run.k6Cores.toFixed(2)} cores, waited ${pct(run.waitShare)})`;
}

/** The kind of the longest GC pause over the rounds' longest pauses by kind; undefined when none ran. */
function longestGcKind(rounds: ReadonlyArray<Record<string, number>>): string | undefined {
  let longest: [string, number] | undefined;
  for (const byKind of rounds) for (const [kind, msTaken] of Object.entries(byKind)) if (longest === undefined || msTaken > longest[1]) longest = [kind, msTaken];
  return longest?.[0];
}
