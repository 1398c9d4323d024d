import { systemClock, type Clock } from '../../events/index.js';
import type { ClaimedJob, DeadLetter, EmailJob } from '../email-job.js';
import type { ClaimOptions, EmailQueue, QueueDepth, ReclaimOptions } from '../email-queue.js';

interface Held {
  job: EmailJob;
  consumer: string;
  since: number;
}

/**
 * The in-process queue, with the Redis queue's semantics (the contract suite runs on both):
 * ready jobs in order, held jobs per receipt, delayed retries by due time, dead letters by id.
 * It lives as long as the engine process; durable queues need Redis.
 */
export class MemoryEmailQueue implements EmailQueue {
  private readonly clock: Clock;
  private readonly ready: Array<{ receipt: string; job: EmailJob }> = [];
  private readonly held = new Map<string, Held>();
  private delayed: Array<{ due: number; job: EmailJob }> = [];
  private readonly dead = new Map<string, DeadLetter>();
  private sequence = 0;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  async enqueue(job: EmailJob): Promise<void> {
    this.push(job);
  }

  async claim(consumer: string, options: ClaimOptions): Promise<ClaimedJob[]> {
    const now = this.clock.now();
    const due = this.delayed.filter((entry) => entry.due <= now).sort((a, b) => a.due - b.due);
    this.delayed = this.delayed.filter((entry) => entry.due > now);
    for (const entry of due) this.push(entry.job);
    return this.ready.splice(0, Math.max(0, options.max)).map(({ receipt, job }) => {
      this.held.set(receipt, { job, consumer, since: now });
      return { job, receipt, consumer };
    });
  }

  async reclaim(consumer: string, options: ReclaimOptions): Promise<ClaimedJob[]> {
    const now = this.clock.now();
    const taken: ClaimedJob[] = [];
    for (const [receipt, held] of this.held) {
      if (taken.length >= options.max) break;
      if (now - held.since < options.idleMs) continue;
      this.held.set(receipt, { job: held.job, consumer, since: now });
      taken.push({ job: held.job, receipt, consumer });
    }
    return taken;
  }

  async ack(claimed: ClaimedJob): Promise<void> {
    this.held.delete(claimed.receipt);
  }

  async retryLater(claimed: ClaimedJob, next: EmailJob, dueAt: number): Promise<void> {
    if (!this.held.delete(claimed.receipt)) return;
    this.delayed.push({ due: dueAt, job: next });
  }

  async deadLetter(claimed: ClaimedJob, error: string): Promise<void> {
    if (!this.held.delete(claimed.receipt)) return;
    this.dead.delete(claimed.job.id);
    this.dead.set(claimed.job.id, { job: claimed.job, error, at: this.clock.now() });
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return [...this.dead.values()].sort((a, b) => a.at - b.at);
  }

  async replay(id: string): Promise<boolean> {
    const letter = this.dead.get(id);
    if (letter === undefined) return false;
    this.dead.delete(id);
    this.push({ ...letter.job, attempt: 1 });
    return true;
  }

  async depth(): Promise<QueueDepth> {
    return { ready: this.ready.length, held: this.held.size, delayed: this.delayed.length, dead: this.dead.size };
  }

  async close(): Promise<void> {}

  private push(job: EmailJob): void {
    this.ready.push({ receipt: `m-${++this.sequence}`, job });
  }
}
