import { systemClock, type Clock } from '../events/index.js';
import type { Logger } from '../observability/index.js';
import type { ClaimedJob, JobQueue, QueuedJob } from './job-queue.js';

export interface QueueWorkerOptions {
  /** What the logs call the queue and its jobs: "mail", "webhook". */
  label: string;
  /** Unique per worker: the queue holds claimed jobs per consumer. */
  consumer: string;
  /** Jobs another consumer has held this long are taken over. */
  reclaimAfterMs: number;
  /** How often an idle worker looks for jobs; `wake` makes it look at once. */
  pollIntervalMs: number;
  /** Jobs handled at once. */
  batch: number;
  /** Dead letters older than this are removed, checked every minute or so; undefined: kept until replayed or discarded. */
  deadLetterRetentionMs?: number;
  /** The clock the queue stamps dead letters with (the same one): a trim removes those stamped before its now minus the retention. */
  clock?: Clock;
}

/** How often a worker trims dead letters; each trim removes at most TRIM_BATCH, so a worker with a backlog to remove logs, and can be stopped, between batches. */
const TRIM_INTERVAL_MS = 60_000;
const TRIM_BATCH = 1000;

/**
 * The loop every queue's workers run: claim ready jobs in the order they became ready (JobQueue.claim),
 * take over those a silent consumer has held for `reclaimAfterMs`, handle them, and sleep for
 * `pollIntervalMs` when there was nothing to do. A job this worker is still handling is never
 * taken over by it, however long it takes. Up to `batch` jobs are in hand at once, and a
 * slot freed by one that finishes is filled at once: one slow receiver does not hold back the
 * jobs queued after it. `handle` acks, retries or dead-letters; one that throws leaves its job
 * held, to be reclaimed. With a dead-letter retention it also trims the queue's old dead letters
 * between rounds, a bounded number at a time (every engine's worker does: trimming is idempotent).
 */
export class QueueWorker<J extends QueuedJob> {
  private running: Promise<void> | undefined;
  private readonly inHand = new Set<Promise<void>>();
  /** Receipts of the jobs being handled: a reclaim hands them back to this worker once held `reclaimAfterMs`. */
  private readonly handling = new Set<string>();
  /** Receipts finished while a take was waiting on the queue: its reclaim may have taken them just before their ack. */
  private finishedDuringTake: Set<string> | undefined;
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private nextTrimAt = 0;

  constructor(
    private readonly queue: JobQueue<J>,
    private readonly handle: (claimed: ClaimedJob<J>) => Promise<void>,
    private readonly logger: Logger,
    private readonly options: QueueWorkerOptions,
  ) {}

  get consumer(): string {
    return this.options.consumer;
  }

  start(): void {
    this.stopping = false;
    this.running ??= this.loop();
  }

  /** Finishes the jobs in hand and stops; jobs not yet claimed stay queued. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
    this.running = undefined;
  }

  /** Looks for jobs now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** One round: claims ready jobs (and stale ones of silent consumers) and handles them. Returns how many. */
  async work(): Promise<number> {
    const jobs = await this.take(this.options.batch);
    await Promise.all(jobs.map((job) => this.handleSafely(job)));
    return jobs.length;
  }

  private async take(max: number): Promise<Array<ClaimedJob<J>>> {
    const { consumer, reclaimAfterMs } = this.options;
    const claimed = await this.queue.claim(consumer, { max });
    const room = max - claimed.length;
    if (room <= 0) return claimed;
    const finished = new Set<string>();
    this.finishedDuringTake = finished;
    try {
      const reclaimed = await this.queue.reclaim(consumer, { max: room, idleMs: reclaimAfterMs });
      // A job this worker is still handling (or has just finished) is its own, not a silent consumer's.
      return [...claimed, ...reclaimed.filter(({ receipt }) => !this.handling.has(receipt) && !finished.has(receipt))];
    } catch (error) {
      // The claimed jobs are held by this consumer already: dropping them would leave them unhandled until reclaimAfterMs.
      this.logger.error({ err: error, consumer }, `${this.options.label} jobs of silent consumers not reclaimed; trying again at the next round`);
      return claimed;
    } finally {
      this.finishedDuringTake = undefined;
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      await this.trimWhenDue();
      // stop() may have come while the trim waited on the queue: a job claimed now would be handled after it.
      if (this.stopping) break;
      const room = this.options.batch - this.inHand.size;
      let taken = 0;
      if (room > 0) {
        try {
          const jobs = await this.take(room);
          for (const job of jobs) this.begin(job);
          taken = jobs.length;
        } catch (error) {
          this.logger.error({ err: error, consumer: this.options.consumer }, `${this.options.label} queue unavailable; retrying at the next poll`);
        }
      }
      // Full, the loop waits for a job to finish (it wakes it); otherwise it polls again when the last take found nothing.
      const full = this.inHand.size >= this.options.batch;
      if ((taken === 0 || full) && !this.woken && !this.stopping) await this.idle(full);
    }
    await Promise.all(this.inHand);
  }

  /** A full batch removed means more are due: the next round trims again rather than waiting the interval. */
  private async trimWhenDue(): Promise<void> {
    const retention = this.options.deadLetterRetentionMs;
    const now = (this.options.clock ?? systemClock).now();
    if (retention === undefined || now < this.nextTrimAt) return;
    this.nextTrimAt = now + TRIM_INTERVAL_MS;
    try {
      const removed = await this.queue.trimDeadLetters(now - retention, TRIM_BATCH);
      if (removed > 0) this.logger.info({ removed, retentionMs: retention }, `${this.options.label} dead letters past their retention removed`);
      if (removed >= TRIM_BATCH) this.nextTrimAt = now;
    } catch (error) {
      this.logger.error({ err: error, consumer: this.options.consumer }, `${this.options.label} dead letters not trimmed; trying again in a minute`);
    }
  }

  private begin(job: ClaimedJob<J>): void {
    const handling: Promise<void> = this.handleSafely(job).finally(() => {
      const wasFull = this.inHand.size >= this.options.batch;
      this.inHand.delete(handling);
      if (wasFull) this.wake();
    });
    this.inHand.add(handling);
  }

  /** Until woken, or the poll interval has passed unless `untilWoken` (a job finishing wakes a full worker). */
  private idle(untilWoken: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = untilWoken ? undefined : setTimeout(done, this.options.pollIntervalMs);
      this.wakeUp = () => done();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => {
      this.wakeUp = undefined;
    });
  }

  private async handleSafely(claimed: ClaimedJob<J>): Promise<void> {
    this.handling.add(claimed.receipt);
    try {
      await this.handle(claimed);
    } catch (error) {
      // Jobs are one trigger's each: logs name the trigger.
      this.logger.error({ err: error, trigger: claimed.job.id }, `${this.options.label} job interrupted; it will be reclaimed`);
    } finally {
      this.handling.delete(claimed.receipt);
      this.finishedDuringTake?.add(claimed.receipt);
    }
  }
}
