import { closeSync, openSync, readSync } from 'node:fs';

/** How long appends stay off the event loop after the first move, doubled by each move that follows a return too soon. */
export const OFF_LOOP_MS = 30_000;
const OFF_LOOP_MAX_MS = 8 * OFF_LOOP_MS;
const WINDOW_MS = 1_000;
/**
 * Entries of the ring, allocated once (16 KiB). Appends over within the same millisecond share an
 * entry, which then takes the later time (counted under a millisecond longer), so a second holds
 * at most 1001 entries whatever the rate of appends. Were the ring ever full, an append would join
 * the newest entry as well: counted longer, never less, so no rate of appends can hide a slow disk.
 */
const REMEMBERED_APPENDS = 1_024;
const SLOT_MASK = REMEMBERED_APPENDS - 1;

/**
 * When the journal's appends leave the event loop. What counts is the time a write kept the
 * thread asleep (blocked on the disk), added up over the last second, wherever that second
 * starts: one write blocked for 30 ms in a second does not pay for 30 s of thread-pool appends,
 * ten of 10 ms each should, and so should 45 ms on either side of a second boundary. A disk
 * still slow when appends come back moves them off again at once, for twice as long, so a disk
 * that hangs stalls the engine less and less often.
 */
export class SlowDiskRule {
  /** A ring of the appends of the last second that blocked at all: when each was over, and for how long (ms). */
  private readonly endedAt = new Float64Array(REMEMBERED_APPENDS);
  private readonly blocked = new Float64Array(REMEMBERED_APPENDS);
  private oldest = 0;
  private remembered = 0;
  private blockedInWindow = 0;
  private offUntil = 0;
  private moves = 0;

  /** `budgetMs`: blocked time allowed within any one second on the event loop. */
  constructor(private readonly budgetMs: number) {}

  /** True while appends go through the thread pool. */
  offLoop(now: number): boolean {
    return now < this.offUntil;
  }

  /**
   * An append on the event loop that kept the thread blocked for `blockedMs`, over at `now`.
   * Returns how long appends now stay off the loop (ms) and the blocked time of the last second
   * that moved them, or undefined when they stay on it. Called once per append: allocates nothing
   * unless it moves appends off the loop.
   */
  record(blockedMs: number, now: number): { offMs: number; blockedMs: number } | undefined {
    this.forgetUpTo(now - WINDOW_MS);
    // An append that did not block adds nothing to the sum: leaving it out is exact.
    if (blockedMs > 0) this.remember(blockedMs, now);
    if (this.blockedInWindow <= this.budgetMs) return undefined;
    const returnedAt = this.offUntil;
    this.moves = this.moves > 0 && now - returnedAt < OFF_LOOP_MS ? this.moves + 1 : 1;
    const offMs = Math.min(OFF_LOOP_MAX_MS, OFF_LOOP_MS * 2 ** (this.moves - 1));
    this.offUntil = now + offMs;
    const blocked = this.blockedInWindow;
    // The blocked time that paid for this move does not count toward the next one.
    this.forgetUpTo(Number.POSITIVE_INFINITY);
    return { offMs, blockedMs: blocked };
  }

  /** Drops the appends over at or before `time`. */
  private forgetUpTo(time: number): void {
    while (this.remembered > 0 && this.endedAt[this.oldest]! <= time) {
      this.blockedInWindow -= this.blocked[this.oldest]!;
      this.oldest = (this.oldest + 1) & SLOT_MASK;
      this.remembered -= 1;
    }
    // No rounding error of the additions and subtractions outlives the appends it came from.
    if (this.remembered === 0) this.blockedInWindow = 0;
  }

  private remember(blockedMs: number, now: number): void {
    const newest = (this.oldest + this.remembered - 1) & SLOT_MASK;
    if (this.remembered === REMEMBERED_APPENDS || (this.remembered > 0 && Math.floor(this.endedAt[newest]!) === Math.floor(now))) {
      this.endedAt[newest] = now;
      this.blocked[newest]! += blockedMs;
    } else {
      const slot = (this.oldest + this.remembered) & SLOT_MASK;
      this.endedAt[slot] = now;
      this.blocked[slot] = blockedMs;
      this.remembered += 1;
    }
    this.blockedInWindow += blockedMs;
  }
}

/**
 * The event loop thread's time on a CPU or waiting for one (ms), from Linux's
 * /proc/thread-self/schedstat: what of a write's wall time was not spent blocked. A thread that
 * waits for a core on a busy machine is not blocked on the disk. Coarse: the kernel brings a
 * running thread's CPU time up to date at its scheduler ticks (every few ms), so a single short
 * write may be misjudged by a tick, which the rule's budget over a second absorbs; and a VM's vCPU
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
