import { readFile } from 'node:fs/promises';
import type { Target, TargetStats } from '../target/index.js';
import { runK6, type K6Result } from './k6-run.js';

export interface LoadSample {
  at: number;
  count: number;
  cpuMicros: number;
  k6CpuMicros: number;
  /** Time the target's main thread was ready to run but waited for a core, from /proc; NaN where there is none. */
  waitMicros: number;
  stats: TargetStats;
}

/** What one k6 run against one target measured, from the target's own counters. */
export interface LoadRun {
  k6: K6Result;
  samples: LoadSample[];
  /** Median of the per-interval rates while the load ran (intervals under a quarter of the peak are ramp-up or tail). */
  eventsPerSecond: number;
  /** Target CPU time per counted event over the same intervals. */
  cpuMicrosPerEvent: number;
  /** Cores the target and k6 used over those intervals. */
  targetCores: number;
  k6Cores: number;
  /**
   * Share of the wall time the target's main thread waited for a core while it had work: on a
   * machine shared with k6, the part of a latency that is scheduling, not the server.
   */
  targetWaitShare: number;
}

const TICKS_PER_SECOND = 100;
const SAMPLE_EVERY_MS = 500;

/**
 * Runs a k6 script while sampling the target every half second; `count` picks what the target
 * counts as done (events accepted, parsed or echoed).
 */
export async function measureLoad(
  k6: string,
  script: string,
  env: Record<string, string | number>,
  target: Target,
  count: (stats: TargetStats) => number,
): Promise<LoadRun> {
  const samples: LoadSample[] = [];
  let k6Pid: number | undefined;
  let running = true;
  const sample = async (): Promise<void> => {
    const stats = await target.stats();
    samples.push({
      at: performance.now(),
      count: count(stats),
      cpuMicros: stats.cpuMicros,
      k6CpuMicros: await processCpuMicros(k6Pid),
      waitMicros: await runQueueWaitMicros(target.pid),
      stats,
    });
  };
  const sampling = (async () => {
    while (running) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
    }
  })();
  let result: K6Result;
  try {
    result = await runK6(k6, script, { TARGET: target.url, ...env }, { onStart: (pid) => (k6Pid = pid) });
  } finally {
    running = false;
    await sampling;
  }
  await sample();
  return { k6: result, samples, ...steadyRates(samples) };
}

export function steadyRates(samples: readonly LoadSample[]): Pick<LoadRun, 'eventsPerSecond' | 'cpuMicrosPerEvent' | 'targetCores' | 'k6Cores' | 'targetWaitShare'> {
  const intervals = samples.slice(1).map((sample, i) => {
    const previous = samples[i]!;
    const seconds = (sample.at - previous.at) / 1000;
    return {
      seconds,
      events: sample.count - previous.count,
      cpu: sample.cpuMicros - previous.cpuMicros,
      k6Cpu: Math.max(0, sample.k6CpuMicros - previous.k6CpuMicros),
      wait: sample.waitMicros - previous.waitMicros,
      rate: (sample.count - previous.count) / seconds,
    };
  });
  const peak = Math.max(0, ...intervals.map((interval) => interval.rate));
  const steady = intervals.filter((interval) => interval.rate >= peak / 4 && interval.rate > 0);
  if (steady.length === 0) return { eventsPerSecond: 0, cpuMicrosPerEvent: 0, targetCores: 0, k6Cores: 0, targetWaitShare: 0 };
  const rates = steady.map((interval) => interval.rate).sort((a, b) => a - b);
  const sum = (pick: (interval: (typeof steady)[number]) => number): number => steady.reduce((total, interval) => total + pick(interval), 0);
  const seconds = sum((interval) => interval.seconds);
  return {
    eventsPerSecond: rates[Math.floor(rates.length / 2)]!,
    cpuMicrosPerEvent: sum((interval) => interval.cpu) / sum((interval) => interval.events),
    targetCores: sum((interval) => interval.cpu) / 1e6 / seconds,
    k6Cores: sum((interval) => interval.k6Cpu) / 1e6 / seconds,
    targetWaitShare: sum((interval) => interval.wait) / 1e6 / seconds,
  };
}

/**
 * User + system CPU of a process from /proc, in microseconds; 0 once it has gone. A process that
 * exits between the open and the read fails with ESRCH rather than ENOENT: k6 does at its end.
 */
async function processCpuMicros(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1e6;
  } catch (error) {
    if (isGone(error)) return 0;
    throw error;
  }
}

/**
 * Run-queue wait of a process's main thread (the second field of /proc/PID/schedstat, in ns), in
 * microseconds. NaN on systems without it (the report then shows n/a rather than a wait of 0).
 */
async function runQueueWaitMicros(pid: number): Promise<number> {
  try {
    const schedstat = await readFile(`/proc/${pid}/schedstat`, 'utf8');
    return Number(schedstat.split(' ')[1]) / 1000;
  } catch (error) {
    if (isGone(error)) return Number.NaN;
    throw error;
  }
}

function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH';
}
