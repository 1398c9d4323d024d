import type { ConfigInput } from '../../engine/config/index.js';
import type { HistogramReading } from '../histogram/index.js';

/** What a target process runs: the engine with a config, or the bare uWS ceiling (with its Redis echo when given a Redis). */
export type TargetSpec =
  | { kind: 'engine'; config: ConfigInput; warehouse: 'configured' | 'discard' }
  | { kind: 'ceiling'; redisUrl?: string };

/** A target's own view of itself, sampled by the harness while k6 runs. */
export interface TargetStats {
  at: number;
  rss: number;
  heapUsed: number;
  /** CPU time the process has used, user + system, in microseconds. */
  cpuMicros: number;
  /** Events the target processed: accepted by the engine, or parsed by the bare server. */
  events: number;
  /** Frames the bare server echoed (0 for the engine). */
  echoed: number;
  /** Rows waiting in the engine's batching sink, per table. */
  sinkBuffered: Record<string, number>;
  /** Triggers per scenario and status, from tripwire_triggers_total. */
  triggers: Array<{ scenario: string; status: string; count: number }>;
  openSockets: number;
  /** The engine's tripwire_popin_seconds: frame read → pop-in written, in seconds (empty for the bare server). */
  popinSeconds: HistogramReading;
}

/** How long the target's event loop stalled, and what of that was garbage collection, since the last reading. */
export interface TargetPauses {
  /** Event-loop delay percentiles, ms: how late a 5 ms timer ran (monitorEventLoopDelay). */
  loopDelayP50: number;
  loopDelayP99: number;
  loopDelayMax: number;
  /** Garbage collection pauses on the main thread: count, total and longest, ms. */
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** The longest pause of each kind (scavenge, mark-compact, incremental, weak callbacks). */
  gcMaxMsByKind: Record<string, number>;
}

export type TargetRequest =
  | { type: 'stats'; id: number; gc?: boolean }
  /** Reads the pauses since the last such request and starts counting afresh. */
  | { type: 'pauses'; id: number }
  /** Gives `visitors` visitors (`<prefix>-0`, `<prefix>-1`...) a short session's state. */
  | { type: 'seed'; id: number; visitors: number; prefix: string }
  | { type: 'stop' };
export type TargetReply =
  | { type: 'ready'; port: number }
  | { type: 'stats'; id: number; stats: TargetStats }
  | { type: 'seeded'; id: number; failed: number }
  | { type: 'pauses'; id: number; pauses: TargetPauses }
  | { type: 'failed'; message: string };
