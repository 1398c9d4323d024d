import { closeSync, openSync, readSync } from 'node:fs';

/** How long appends stay off the event loop after the first move, doubled by each move that follows a return too soon. */
export const OFF_LOOP_MS = 30_000;
const OFF_LOOP_MAX_MS = 8 * OFF_LOOP_MS;
const WINDOW_MS = 1_000;

/**
 * When the journal's appends leave the event loop. What counts is the time a write kept the
 * thread asleep (blocked on the disk), added up over one second: one write blocked for 30 ms in
 * a second does not pay for 30 s of thread-pool appends, ten of 10 ms each should. A disk still
 * slow when appends come back moves them off again at once, for twice as long, so a disk that
 * hangs stalls the engine less and less often.
 */
export class SlowDiskRule {
  private windowStart = Number.NEGATIVE_INFINITY;
  private blockedInWindow = 0;
  private offUntil = 0;
  private moves = 0;

  /** `budgetMs`: blocked time allowed within one second on the event loop. */
  constructor(private readonly budgetMs: number) {}

  /** True while appends go through the thread pool. */
  offLoop(now: number): boolean {
    return now < this.offUntil;
  }

  /**
   * An append on the event loop that kept the thread blocked for `blockedMs`. Returns how long
   * appends now stay off the loop (ms), or undefined when they stay on it.
   */
  record(blockedMs: number, now: number): { offMs: number; blockedMs: number } | undefined {
    if (now - this.windowStart >= WINDOW_MS) {
      this.windowStart = now;
      this.blockedInWindow = 0;
    }
    this.blockedInWindow += blockedMs;
    if (this.blockedInWindow <= this.budgetMs) return undefined;
    const returnedAt = this.offUntil;
    this.moves = this.moves > 0 && now - returnedAt < OFF_LOOP_MS ? this.moves + 1 : 1;
    const offMs = Math.min(OFF_LOOP_MAX_MS, OFF_LOOP_MS * 2 ** (this.moves - 1));
    this.offUntil = now + offMs;
    const blocked = this.blockedInWindow;
    this.blockedInWindow = 0;
    return { offMs, blockedMs: blocked };
  }
}

/**
 * The event loop thread's time on a CPU or waiting for one (ms), from Linux's
 * /proc/thread-self/schedstat: what of a write's wall time was not spent blocked. A thread that
 * waits for a core on a busy machine is not blocked on the disk. Coarse: the kernel brings a
 * running thread's CPU time up to date at its scheduler ticks (every few ms), so a single short
 * write may be misjudged by a tick, which the rule's one-second budget absorbs; and a VM's vCPU
 * descheduled by its host (steal) counts as blocked where the kernel accounts steal apart.
 * Undefined where the file cannot be read or reads all zeros (not Linux, or scheduler
 * statistics off): then a write's wall time is all blocked.
 */
export class ThreadRunTime {
  private readonly buffer = Buffer.alloc(64);

  private constructor(private fd: number | undefined) {}

  /** Opened on the thread that reads it: /proc/thread-self names the opening thread. */
  static open(): ThreadRunTime | undefined {
    let reader: ThreadRunTime;
    try {
      reader = new ThreadRunTime(openSync('/proc/thread-self/schedstat', 'r'));
    } catch {
      // Not Linux, or /proc not mounted: wall time stands in, as documented.
      return undefined;
    }
    if ((reader.ms() ?? 0) > 0) return reader;
    reader.close();
    return undefined;
  }

  ms(): number | undefined {
    if (this.fd === undefined) return undefined;
    const length = readSync(this.fd, this.buffer, 0, this.buffer.length, 0);
    const text = this.buffer.toString('latin1', 0, length);
    const firstSpace = text.indexOf(' ');
    const onCpu = Number(text.slice(0, firstSpace));
    const waiting = Number(text.slice(firstSpace + 1, text.indexOf(' ', firstSpace + 1)));
    return Number.isFinite(onCpu) && Number.isFinite(waiting) ? (onCpu + waiting) / 1e6 : undefined;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
