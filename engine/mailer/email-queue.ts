import type { ClaimedJob, DeadLetter, EmailJob } from './email-job.js';

export interface ClaimOptions {
  /** Most jobs handed over in one call. */
  max: number;
}

export interface ReclaimOptions extends ClaimOptions {
  /** Only jobs held (unacknowledged) at least this long are taken from their consumer. */
  idleMs: number;
}

/** How many jobs are where; for health, metrics and tests. */
export interface QueueDepth {
  /** Enqueued and not yet claimed. */
  ready: number;
  /** Claimed and not yet acked, retried or dead-lettered. */
  held: number;
  /** Waiting for their retry time. */
  delayed: number;
  dead: number;
}

/**
 * The durable hand-over between the pipeline and the mailer workers. A claimed job stays held
 * by its consumer until acked, retried or dead-lettered; a consumer that dies holding jobs
 * loses them to the next `reclaim` once they have been idle long enough.
 */
export interface EmailQueue {
  enqueue(job: EmailJob): Promise<void>;
  /** Takes jobs nobody has claimed yet, retries whose time has come first. */
  claim(consumer: string, options: ClaimOptions): Promise<ClaimedJob[]>;
  /** Takes over jobs other consumers (or this one, before a restart) have held for `idleMs`. */
  reclaim(consumer: string, options: ReclaimOptions): Promise<ClaimedJob[]>;
  /** Done with: the job leaves the queue. */
  ack(claimed: ClaimedJob): Promise<void>;
  /** Puts the job back, to be claimed again from `dueAt` on (epoch ms), as `next`. */
  retryLater(claimed: ClaimedJob, next: EmailJob, dueAt: number): Promise<void>;
  /** Moves the job to the dead letters, replacing an earlier dead letter of the same id. */
  deadLetter(claimed: ClaimedJob, error: string): Promise<void>;
  /** Dead letters, oldest first. */
  deadLetters(): Promise<DeadLetter[]>;
  /** Enqueues a dead letter again as a first attempt; false when there is none with this id. */
  replay(id: string): Promise<boolean>;
  depth(): Promise<QueueDepth>;
  close(): Promise<void>;
}
