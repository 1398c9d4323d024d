import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import type { TargetPauses } from './target-spec.js';

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

const RESOLUTION_MS = 5;

/**
 * Watches the target's own event loop and garbage collector, so a latency tail can be told apart:
 * the loop stalled (and GC took that long) or the time went elsewhere (k6, the kernel).
 */
export class PauseMonitor {
  private readonly delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private readonly observer: PerformanceObserver;
  private gcCount = 0;
  private gcTotalMs = 0;
  private gcMaxMsByKind: Record<string, number> = {};

  constructor() {
    this.delay.enable();
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.recordGc(entry);
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** What was seen since the previous call; counting starts again. */
  take(): TargetPauses {
    // The histogram records the time between its timer's ticks: the delay is what exceeds the interval.
    const ms = (ns: number): number => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - RESOLUTION_MS) : 0);
    const pauses: TargetPauses = {
      loopDelayP50: ms(this.delay.percentile(50)),
      loopDelayP99: ms(this.delay.percentile(99)),
      loopDelayMax: ms(this.delay.max),
      gcCount: this.gcCount,
      gcTotalMs: this.gcTotalMs,
      gcMaxMs: Math.max(0, ...Object.values(this.gcMaxMsByKind)),
      gcMaxMsByKind: this.gcMaxMsByKind,
    };
    this.delay.reset();
    this.gcCount = 0;
    this.gcTotalMs = 0;
    this.gcMaxMsByKind = {};
    return pauses;
  }

  private recordGc(entry: PerformanceEntry): void {
    const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
    const kind = GC_KINDS[detail?.kind ?? -1] ?? 'other';
    this.gcCount += 1;
    this.gcTotalMs += entry.duration;
    this.gcMaxMsByKind[kind] = Math.max(this.gcMaxMsByKind[kind] ?? 0, entry.duration);
  }
}
