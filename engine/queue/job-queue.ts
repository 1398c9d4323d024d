/**
 * What every queued job carries. The id is the job's identity across deliveries, retries and
 * replays (a trigger id): a dead letter is kept per id.
 */
export interface QueuedJob {
  id: string;
  /** 1 on the first try; a retry carries the next number, a reclaim keeps it. */
  attempt: number;
}

/** A job a consumer holds until it acks, retries or dead-letters it. */
export interface ClaimedJob<J extends QueuedJob> {
  job: J;
  /** The queue's handle on this delivery (a stream entry id on Redis). */
  receipt: string;
  consumer: string;
}

/** A job that used up its tries, kept for an operator to inspect and replay. */
export interface DeadLetter<J extends QueuedJob> {
  job: J;
  error: string;
  at: number;
}

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
 * The hand-over between the pipeline and the workers that deliver its jobs (emails, webhooks).
 * A claimed job stays held by its consumer until acked, retried or dead-lettered; a consumer
 * that dies holding jobs loses them to the next `reclaim` once they have been idle long enough.
 * Jobs travel as JSON: a job type holds plain data only.
 */
export interface JobQueue<J extends QueuedJob> {
  enqueue(job: J): Promise<void>;
  /**
   * Takes jobs nobody has claimed yet, in the order they became ready: a retry whose time has come
   * joins the back of the queue when a claim finds it due, behind the jobs already waiting, as a
   * new job would. Fresh triggers are what a marketing engine's receivers value most, and a retry
   * is for a receiver that just failed: retries of a struggling receiver must not go ahead of them.
   */
  claim(consumer: string, options: ClaimOptions): Promise<Array<ClaimedJob<J>>>;
  /** Takes over jobs other consumers (or this one, before a restart) have held for `idleMs`. */
  reclaim(consumer: string, options: ReclaimOptions): Promise<Array<ClaimedJob<J>>>;
  /** Done with: the job leaves the queue. */
  ack(claimed: ClaimedJob<J>): Promise<void>;
  /**
   * Puts the job back, to be claimed again from `dueAt` on (epoch ms), as `next`. False when the
   * job was no longer held (another consumer took it over and acked or moved it): nothing moved,
   * and the caller records nothing.
   */
  retryLater(claimed: ClaimedJob<J>, next: J, dueAt: number): Promise<boolean>;
  /** Moves the job to the dead letters, replacing an earlier dead letter of the same id; false, as retryLater, when it was no longer held. */
  deadLetter(claimed: ClaimedJob<J>, error: string): Promise<boolean>;
  /** Dead letters, oldest first; those that cannot be read are left out (see unreadableDeadLetters). */
  deadLetters(): Promise<Array<DeadLetter<J>>>;
  /**
   * Ids of the dead letters that cannot be read as a job, its error and time: a durable queue's
   * store may hold what no engine wrote (by hand, damaged). They are kept until discarded.
   */
  unreadableDeadLetters(): Promise<string[]>;
  /**
   * Enqueues a dead letter again as a first attempt; false when there is none with this id.
   * Throws TW_DEAD_LETTER_UNREADABLE for one that cannot be read.
   */
  replay(id: string): Promise<boolean>;
  /** Removes a dead letter without replaying it; false when there is none with this id. */
  discardDeadLetter(id: string): Promise<boolean>;
  /**
   * Removes up to `max` dead letters dead-lettered before `before` (epoch ms) and says how many,
   * in no promised order. A queue may sweep its dead letters in bounded steps, each continuing where
   * the last trim (of any process) left off, a call ending with the sweep; and the processes may
   * share one sweep a minute, a call within a minute of a finished sweep removing nothing. So a
   * dead letter is removed by the first sweep that starts once it is older than `before`: within
   * about two minutes for workers that trim every minute. No step holds the queue's store for
   * longer than a few hundred dead letters take, however many it holds. A dead letter whose time
   * cannot be read is kept, for an operator to discard.
   */
  trimDeadLetters(before: number, max: number): Promise<number>;
  /** Removes every dead letter and says how many, without holding the queue's store for long. */
  purgeDeadLetters(): Promise<number>;
  depth(): Promise<QueueDepth>;
  close(): Promise<void>;
}
