import { systemClock, type Clock } from '../events/index.js';
import type { ClaimOptions, ClaimedJob, DeadLetter, JobQueue, QueueDepth, QueuedJob, ReclaimOptions } from './job-queue.js';

interface Held<J> {
  job: J;
  consumer: string;
  since: number;
}

/**
 * The in-process queue, with the Redis queue's semantics (the contract suite runs on both):
 * ready jobs in order, held jobs per receipt, delayed retries by due time, dead letters by id.
 * It lives as long as the engine process; durable queues need Redis.
 */
export class MemoryJobQueue<J extends QueuedJob> implements JobQueue<J> {
  private readonly clock: Clock;
  private readonly ready: Array<{ receipt: string; job: J }> = [];
  private readonly held = new Map<string, Held<J>>();
  private delayed: Array<{ due: number; job: J }> = [];
  private readonly dead = new Map<string, DeadLetter<J>>();
  private sequence = 0;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  async enqueue(job: J): Promise<void> {
    this.push(job);
  }

  async claim(consumer: string, options: ClaimOptions): Promise<Array<ClaimedJob<J>>> {
    const now = this.clock.now();
    const due = this.delayed.filter((entry) => entry.due <= now).sort((a, b) => a.due - b.due);
    this.delayed = this.delayed.filter((entry) => entry.due > now);
    for (const entry of due) this.push(entry.job);
    return this.ready.splice(0, Math.max(0, options.max)).map(({ receipt, job }) => {
      this.held.set(receipt, { job, consumer, since: now });
      return { job, receipt, consumer };
    });
  }

  async reclaim(consumer: string, options: ReclaimOptions): Promise<Array<ClaimedJob<J>>> {
    const now = this.clock.now();
    const taken: Array<ClaimedJob<J>> = [];
    for (const [receipt, held] of this.held) {
      if (taken.length >= options.max) break;
      if (now - held.since < options.idleMs) continue;
      this.held.set(receipt, { job: held.job, consumer, since: now });
      taken.push({ job: held.job, receipt, consumer });
    }
    return taken;
  }

  async ack(claimed: ClaimedJob<J>): Promise<void> {
    this.held.delete(claimed.receipt);
  }

  async retryLater(claimed: ClaimedJob<J>, next: J, dueAt: number): Promise<boolean> {
    if (!this.held.delete(claimed.receipt)) return false;
    this.delayed.push({ due: dueAt, job: next });
    return true;
  }

  async deadLetter(claimed: ClaimedJob<J>, error: string): Promise<boolean> {
    if (!this.held.delete(claimed.receipt)) return false;
    this.dead.delete(claimed.job.id);
    this.dead.set(claimed.job.id, { job: claimed.job, error, at: this.clock.now() });
    return true;
  }

  async deadLetters(): Promise<Array<DeadLetter<J>>> {
    return [...this.dead.values()].sort((a, b) => a.at - b.at);
  }

  /** Letters never leave the process as text, so every one can be read. */
  async unreadableDeadLetters(): Promise<string[]> {
    return [];
  }

  async replay(id: string): Promise<boolean> {
    const letter = this.dead.get(id);
    if (letter === undefined) return false;
    this.dead.delete(id);
    this.push({ ...letter.job, attempt: 1 });
    return true;
  }

  async discardDeadLetter(id: string): Promise<boolean> {
    return this.dead.delete(id);
  }

  /** The map keeps dead letters in the order they were dead-lettered (deadLetter re-inserts), so the oldest come first. */
  async trimDeadLetters(before: number, max: number): Promise<number> {
    let removed = 0;
    for (const [id, letter] of this.dead) {
      if (removed >= max || letter.at >= before) break;
      this.dead.delete(id);
      removed++;
    }
    return removed;
  }

  async purgeDeadLetters(): Promise<number> {
    const count = this.dead.size;
    this.dead.clear();
    return count;
  }

  async depth(): Promise<QueueDepth> {
    return { ready: this.ready.length, held: this.held.size, delayed: this.delayed.length, dead: this.dead.size };
  }

  /** Jobs not yet done (ready, held, waiting for a retry): what a stop of the process loses; the ids of the first `max`. */
  unfinished(max: number): { count: number; ids: string[] } {
    const jobs = [...this.ready.map((entry) => entry.job), ...[...this.held.values()].map((held) => held.job), ...this.delayed.map((entry) => entry.job)];
    return { count: jobs.length, ids: jobs.slice(0, max).map((job) => job.id) };
  }

  async close(): Promise<void> {}

  private push(job: J): void {
    this.ready.push({ receipt: `m-${++this.sequence}`, job });
  }
}
