import { randomBytes } from 'node:crypto';
import type { Clock } from '../../events/index.js';
import type { Logger } from '../../observability/index.js';
import { QueueWorker, type ClaimedJob } from '../../queue/index.js';
import { webhookOutcome, type WebhookOutcome } from './webhook-answer.js';
import type { WebhookDeliveryLog } from './webhook-delivery-log.js';
import type { WebhookJob, WebhookQueue } from './webhook-job.js';
import { WEBHOOK_SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';

/** The longest delay setTimeout honours. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export interface WebhookWorkerDeps {
  queue: WebhookQueue;
  /** Site key → secret: the receiver checks `Tripwire-Signature` with it. */
  secrets: ReadonlyMap<string, string>;
  log: WebhookDeliveryLog;
  clock: Clock;
  logger: Logger;
}

export interface WebhookWorkerOptions {
  /** Unique per worker. Default: webhooks-pid-random. */
  consumer?: string;
  /** Attempts per webhook, the first included (default 3), with doubling delays from `retryDelayMs` (default 500 ms). */
  attempts?: number;
  retryDelayMs?: number;
  /** How long one attempt may take (default 10 s). */
  timeoutMs?: number;
  /**
   * The longest a retry waits, Retry-After included; a receiver asking for more is dead-lettered
   * instead. Default 60 s: on an in-process queue a graceful stop waits for the retries.
   */
  maxRetryDelayMs?: number;
  /** Webhooks another engine has held this long (it died mid-attempt) are taken over; keep it above `timeoutMs`. Default 60 s. */
  reclaimAfterMs?: number;
  /** How often an idle worker looks for due webhooks (default 1 s); an in-process enqueue wakes it at once. */
  pollIntervalMs?: number;
  /** Webhooks posted at once (default 10). */
  batch?: number;
  /** Dead letters older than this are removed by the worker; undefined: kept until replayed or discarded. */
  deadLetterRetentionMs?: number;
  /**
   * Webhooks posted at once to one receiver host (default 5, at most `batch`): a receiver that
   * never answers holds that many slots for the request timeout, not all of them.
   */
  perReceiver?: number;
}

/** One attempt's outcome and what the warehouse row says about it. */
interface Attempt {
  outcome: WebhookOutcome;
  detail: string;
}

/**
 * Posts queued webhooks: the JSON body signed with the site's secret over the time and the body
 * (`Tripwire-Signature: t=<unix>,v1=<hex>`, webhook-signature.ts), the trigger id in
 * `X-Tripwire-Trigger` so a receiver drops the repeats at-least-once delivery may cause. Only
 * what may pass is retried (transport errors, 408, 429, 5xx), through the queue, so a retry
 * outlives the engine on Redis; a receiver refusing the request (another 4xx) gets it once, and
 * the delivery is dead-lettered: row `dead`, an error log,
 * `tripwire_deliveries_total{channel="webhook",status="dead"}`.
 */
export class WebhookWorker {
  private readonly worker: QueueWorker<WebhookJob>;
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly timeoutMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly pollIntervalMs: number;
  private readonly perReceiver: number;
  /** Receiver host → attempts in flight to it. */
  private readonly inFlight = new Map<string, number>();
  /** One per retry this worker put back: it looks for the retry at its time rather than at its next poll. */
  private readonly retryWakeUps = new Set<NodeJS.Timeout>();

  constructor(
    private readonly deps: WebhookWorkerDeps,
    options: WebhookWorkerOptions = {},
  ) {
    this.attempts = options.attempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 60_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.perReceiver = Math.min(options.perReceiver ?? 5, options.batch ?? 10);
    this.worker = new QueueWorker(deps.queue, (claimed) => this.handle(claimed), deps.logger, {
      label: 'webhook',
      consumer: options.consumer ?? `webhooks-${process.pid}-${randomBytes(3).toString('hex')}`,
      reclaimAfterMs: options.reclaimAfterMs ?? 60_000,
      pollIntervalMs: this.pollIntervalMs,
      batch: options.batch ?? 10,
      clock: deps.clock,
      ...(options.deadLetterRetentionMs === undefined ? {} : { deadLetterRetentionMs: options.deadLetterRetentionMs }),
    });
  }

  start(): void {
    this.worker.start();
  }

  /** Finishes the attempts in flight and stops; queued webhooks and waiting retries stay queued. */
  stop(): Promise<void> {
    for (const timer of this.retryWakeUps) clearTimeout(timer);
    this.retryWakeUps.clear();
    return this.worker.stop();
  }

  wake(): void {
    this.worker.wake();
  }

  /** One round of claiming and posting; how many webhooks were handled. */
  work(): Promise<number> {
    return this.worker.work();
  }

  /**
   * Stops, then posts every queued webhook to its end, waiting out the retries: for a queue
   * that dies with the process (in process), where a retry left waiting would be lost.
   */
  async drain(): Promise<void> {
    await this.stop();
    for (;;) {
      if ((await this.work()) > 0) continue;
      const { ready, delayed } = await this.deps.queue.depth();
      if (ready + delayed === 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.pollIntervalMs, 50)));
    }
  }

  private async handle(claimed: ClaimedJob<WebhookJob>): Promise<void> {
    const { job } = claimed;
    const { queue, log } = this.deps;
    const receiver = receiverOf(job.url);
    const posting = this.inFlight.get(receiver) ?? 0;
    if (posting >= this.perReceiver) {
      // Holding it here would take a slot other receivers' webhooks need: it goes back, as the same attempt, to be claimed again.
      if (!(await queue.retryLater(claimed, job, this.deps.clock.now() + this.pollIntervalMs))) return this.takenOver(job);
      this.deps.logger.debug({ trigger: job.id, receiver, posting }, 'webhook put back: its receiver has as many in flight as it may');
      this.wakeAt(this.deps.clock.now() + this.pollIntervalMs);
      return;
    }
    this.inFlight.set(receiver, posting + 1);
    let attempted: Attempt;
    try {
      attempted = await this.attempt(job);
    } finally {
      const left = (this.inFlight.get(receiver) ?? 1) - 1;
      if (left === 0) this.inFlight.delete(receiver);
      else this.inFlight.set(receiver, left);
    }
    const { outcome, detail } = attempted;
    if (outcome.kind === 'sent') {
      log.record(job, 'sent', detail);
      // Acked, the job is gone: its row must be in the journal first.
      await log.whenDurable();
      await queue.ack(claimed);
      return;
    }
    if (outcome.kind === 'permanent') return this.deadLetter(claimed, `${detail}: the receiver refused the request, which is not retried`);
    if (job.attempt >= this.attempts) return this.deadLetter(claimed, `${detail} after ${job.attempt} attempts`);
    const wait = Math.max(this.retryDelayMs * 2 ** (job.attempt - 1), outcome.afterMs ?? 0);
    if (wait > this.maxRetryDelayMs) {
      return this.deadLetter(claimed, `${detail}: Retry-After ${Math.ceil(wait / 1000)} s is longer than the ${Math.ceil(this.maxRetryDelayMs / 1000)} s a webhook retry waits`);
    }
    const dueAt = this.deps.clock.now() + wait;
    if (!(await queue.retryLater(claimed, { ...job, attempt: job.attempt + 1 }, dueAt))) return this.takenOver(job);
    log.record(job, 'retried', `${detail}; next try in ${wait} ms`, job.attempt);
    this.wakeAt(dueAt);
  }

  /**
   * A timer can fire a few milliseconds before the clock reaches its due time (the event loop
   * starts it from the time its turn began): the claim would then find nothing due and the retry
   * would wait for the next poll, so an early timer is started again for the rest. Node waits at
   * most 2^31-1 ms (24.8 days) and turns a longer delay into 1 ms: a retry due later is looked at
   * after that long, and armed again for the rest.
   */
  private wakeAt(dueAt: number): void {
    const timer = setTimeout(() => {
      this.retryWakeUps.delete(timer);
      if (this.deps.clock.now() < dueAt) this.wakeAt(dueAt);
      else this.worker.wake();
    }, Math.min(LONGEST_TIMER_MS, Math.max(1, dueAt - this.deps.clock.now())));
    timer.unref();
    this.retryWakeUps.add(timer);
  }

  private async attempt(job: WebhookJob): Promise<Attempt> {
    const secret = this.deps.secrets.get(job.site) ?? '';
    const signature = signWebhook(secret, Math.floor(this.deps.clock.now() / 1000), job.body);
    try {
      const response = await fetch(job.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: signature, 'X-Tripwire-Trigger': job.id },
        body: job.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // The answer's body is not read: releasing it frees the connection for the next delivery.
      await response.body?.cancel();
      return { outcome: webhookOutcome(response.status, response.headers.get('retry-after'), this.deps.clock.now()), detail: `HTTP ${response.status}` };
    } catch (error) {
      const cause = (error as Error).cause;
      return { outcome: { kind: 'retry' }, detail: cause instanceof Error ? cause.message : (error as Error).message };
    }
  }

  /** Another engine took the webhook over (it was held past reclaimAfter) and has moved it since: the rows are that engine's to write. */
  private takenOver(job: WebhookJob): void {
    this.deps.logger.warn({ trigger: job.id, url: job.url }, 'webhook taken over by another engine while this one was posting it (held longer than webhooks.reclaimAfter); this attempt records nothing');
  }

  private async deadLetter(claimed: ClaimedJob<WebhookJob>, detail: string): Promise<void> {
    const { job } = claimed;
    if (!(await this.deps.queue.deadLetter(claimed, detail))) return this.takenOver(job);
    this.deps.logger.error({ trigger: job.id, scenario: job.scenario, url: job.url, detail }, 'webhook dead-lettered');
    this.deps.log.record(job, 'dead', detail);
  }
}

/** What one receiver is, for the per-receiver limit: the URL's host and port. */
function receiverOf(url: string): string {
  // An invalid URL fails its attempt at once and holds no slot for long: it is its own receiver.
  return URL.canParse(url) ? new URL(url).host : url;
}
