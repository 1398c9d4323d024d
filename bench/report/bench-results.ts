import type { Machine } from '../harness/index.js';

/** Everything one `npm run bench` measured; bench/results/latest.json holds it as is. */
export interface BenchResults {
  startedAt: string;
  mode: 'quick' | 'full';
  machine: Machine;
  scenarios: string;
  redis: string;
  /** Where the cluster rows' Redis Cluster came from; absent when they did not run. */
  redisCluster?: string;
  clickhouse: string;
  /** Whether the engines ran with the warehouse journal (absent in results from before the flag: on). */
  journal?: boolean;
  throughput: ThroughputRow[];
  latency: LatencyRow[];
  redisCost: RedisCostRow[];
  memory: MemoryFigures;
  scaling: ScalingRow[];
  sink: SinkRow[];
  targets: TargetCheck[];
  notes: string[];
}

export interface ThroughputRow {
  configuration: string;
  eventsPerFrame: number;
  eventsPerSecond: number;
  /** Share of the bare uWS parse-and-drop ceiling at the same frame size. */
  ofCeiling: number | undefined;
  /** Share of the bare uWS echo (a request/reply loop like the engine's acks) at the same frame size. */
  ofEcho: number | undefined;
  cpuMicrosPerEvent: number;
  /** The same ratio from CPU cost alone (ceiling µs per event / this row's): what the server could do with the load generator elsewhere. */
  capacityOfCeiling: number | undefined;
  targetCores: number;
  k6Cores: number;
  frameErrors: number;
}

/** Engine and bare echo measured in alternating rounds at the same offered rate; figures are medians over the rounds. */
export interface LatencyRow {
  configuration: string;
  /** Share of the engine's max throughput the background load aimed at. */
  load: number;
  rounds: number;
  offeredEventsPerSecond: number;
  achievedEventsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /**
   * Every pop-in of the rounds, background visitors' too, timed inside the engine, ms (medians
   * over the rounds, from tripwire_popin_seconds): from reading the frame that fired it off the
   * socket to writing it. Not the probes' share of p50/p99: other pop-ins wait behind their own
   * visitor's frames, and the wait before the engine reads a frame is outside it. Absent from
   * results written before it was measured.
   */
  insideP50?: number;
  insideP99?: number;
  /** The histogram's last finite bound, ms: an inside quantile there means "at least". */
  insideLastBoundMs?: number;
  echoP50: number;
  echoP99: number;
  /** Each round's p99, engine and echo, in the order they ran. */
  p99Rounds: number[];
  echoP99Rounds: number[];
  /** Median over the rounds of engine p99 ÷ echo p99 of the same round: what the target is checked on. */
  p99Ratio: number;
  missed: number;
  /**
   * Cores the server and k6 used (medians over the rounds), engine rounds and echo rounds apart:
   * on two shared cores, a server whose sum nears 2 waits for the CPU, which the tail shows.
   * Absent from results written before they were measured.
   */
  engineCores?: number;
  engineK6Cores?: number;
  echoCores?: number;
  echoK6Cores?: number;
  /** Share of the wall time the server's main thread was ready to run but waited for a core (/proc schedstat). */
  engineWaitShare?: number;
  echoWaitShare?: number;
  /** The engine's own event-loop delay p99 (median of rounds) and longest GC pause (of all rounds), ms. */
  engineLoopDelayP99: number;
  engineGcMaxMs: number;
  /** What kind of collection the longest pause was (scavenge, mark-compact...). Absent from older results. */
  engineGcMaxKind?: string;
  /** Each engine round's "inside the engine" p99 and longest pause of each GC kind, ms. Absent from older results. */
  insideP99Rounds?: number[];
  engineGcMaxMsByKindRounds?: Array<Record<string, number>>;
  /** On the Redis store: the bare server's round trip after one and after two Redis round trips, in the same rounds. */
  redisFloors?: RedisFloor[];
}

/**
 * The bare uWS server answering each frame after `trips` Redis round trips in a row (INCR), at
 * the engine's offered rate, against the same Redis: the least any server that asks Redis before
 * it answers could do on this machine. Figures are medians over rounds run beside the engine's.
 */
export interface RedisFloor {
  trips: number;
  p50: number;
  p99: number;
  p99Rounds: number[];
  /** Median over the rounds of this p99 ÷ the echo p99 of the same round. */
  ofEcho: number;
  /** Median over the rounds of the engine's p99 ÷ this p99 of the same round. */
  engineOver: number;
  cores: number;
  waitShare: number;
}

export interface RedisCostRow {
  eventsPerFrame: number;
  commandsPerEvent: number;
  /** Socket reads Redis performed per event: a pipeline or script call arriving in one write is one read. */
  roundTripsPerEvent: number;
  callsPerEvent: Record<string, number>;
}

export interface MemoryFigures {
  socketsHeld: number;
  rssPer10kSockets: number;
  heapPer10kSockets: number;
  /** Redis used_memory growth per seeded visitor, at the largest population. */
  redisBytesPerVisitor: number | undefined;
  /** The in-process store's heap growth per seeded visitor, at the largest population. */
  heapBytesPerVisitor: number | undefined;
}

export interface ScalingRow {
  store: string;
  visitors: number;
  /** Medians over the rounds. */
  eventsPerSecond: number;
  cpuMicrosPerEvent: number;
  /** CPU µs per event of each round, in round order. */
  cpuRounds: number[];
  bytesPerVisitor: number;
}

export interface SinkRow {
  warehouse: string;
  eventsPerFrame: number;
  eventsPerSecond: number;
  maxBufferedRows: number;
  bufferedAtEnd: number;
  drainSeconds: number | undefined;
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  met: boolean | undefined;
}
