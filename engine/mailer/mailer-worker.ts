import { randomBytes } from 'node:crypto';
import type { EmailRequest, SentEmail } from '../channels/email/index.js';
import { isTripwireError } from '../errors.js';
import type { Clock } from '../events/index.js';
import type { Logger } from '../observability/index.js';
import { QueueWorker } from '../queue/index.js';
import { hasEmailConsent } from '../scenarios/index.js';
import type { WindowStore } from '../state/index.js';
import type { DeliveryLog, DeliveryRef } from './delivery-log.js';
import type { EmailJob } from './email-job.js';
import type { ClaimedEmailJob, EmailQueue } from './email-queue.js';
import { DEFAULT_RETRY_SCHEDULE, retryDelay, type RetrySchedule } from './retry-schedule.js';
import type { SendLedger } from './send-ledger.js';
import type { SuppressionList } from './suppression-list.js';

/** What the worker sends through: EmailChannel fits. */
export interface EmailSender {
  send(request: EmailRequest): Promise<SentEmail>;
}

/** Where the worker reads a visitor's current consent: the engine's WindowStore. */
export type VisitorProfiles = Pick<WindowStore, 'snapshot'>;

export interface MailerWorkerDeps {
  queue: EmailQueue;
  ledger: SendLedger;
  suppressions: SuppressionList;
  profiles: VisitorProfiles;
  sender: EmailSender;
  /** Turns a job into the request to render; by default the job's own request. */
  personalise?: (job: EmailJob) => Promise<EmailRequest>;
  log: DeliveryLog;
  clock: Clock;
  logger: Logger;
}

export interface MailerWorkerOptions {
  /** Unique per worker: the queue holds claimed jobs per consumer. Default: host-pid-random. */
  consumer?: string;
  retry?: RetrySchedule;
  /**
   * A trigger's send lease (default 2 min), renewed every third of it while the SMTP transaction
   * lasts: another worker takes the trigger over only once this one has stopped renewing (died).
   */
  leaseMs?: number;
  /** Jobs another consumer has held this long are taken over (default 5 min). */
  reclaimAfterMs?: number;
  /** How often an idle worker looks for jobs (default 1 s); an in-process enqueue wakes it at once. */
  pollIntervalMs?: number;
  /** Jobs sent at once (default 10). */
  batch?: number;
  /** Dead letters older than this are removed by the worker; undefined: kept until replayed or discarded. */
  deadLetterRetentionMs?: number;
}

/**
 * Takes jobs from the queue and sends each at most once: right before sending it checks the
 * suppression list (a transactional email passes an unsubscribe, not a bounce or a complaint)
 * and, for marketing email, the visitor's consent as it is now (withdrawn while the job waited,
 * it is not sent); then it sends under the trigger's lease in the SendLedger, marks the trigger
 * sent, and acks. A failed send is retried with exponential backoff and dead-lettered after the
 * last try; a permanent SMTP refusal (5xx), an invalid recipient or a broken template is
 * dead-lettered at once, and a recipient refused at RCPT TO also lands on the suppression list
 * as a hard bounce.
 */
export class MailerWorker {
  private readonly worker: QueueWorker<EmailJob>;
  private readonly retry: RetrySchedule;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;

  constructor(
    private readonly deps: MailerWorkerDeps,
    options: MailerWorkerOptions = {},
  ) {
    this.retry = options.retry ?? DEFAULT_RETRY_SCHEDULE;
    this.leaseMs = options.leaseMs ?? 120_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.worker = new QueueWorker(deps.queue, (claimed) => this.handle(claimed), deps.logger, {
      label: 'mail',
      consumer: options.consumer ?? `mailer-${process.pid}-${randomBytes(3).toString('hex')}`,
      reclaimAfterMs: options.reclaimAfterMs ?? 300_000,
      pollIntervalMs: this.pollIntervalMs,
      batch: options.batch ?? 10,
      clock: deps.clock,
      ...(options.deadLetterRetentionMs === undefined ? {} : { deadLetterRetentionMs: options.deadLetterRetentionMs }),
    });
  }

  get consumer(): string {
    return this.worker.consumer;
  }

  start(): void {
    this.worker.start();
  }

  /** Finishes the sends in hand and stops; jobs not yet claimed stay queued. */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  /** Looks for jobs now rather than at the next poll. */
  wake(): void {
    this.worker.wake();
  }

  /**
   * One round: claims ready jobs (and stale ones of dead consumers) and handles them. Returns how
   * many. A store failure mid-job leaves the job held; it is reclaimed after `reclaimAfterMs`.
   */
  work(): Promise<number> {
    return this.worker.work();
  }

  private async handle(claimed: ClaimedEmailJob): Promise<void> {
    const { job } = claimed;
    const { queue, ledger } = this.deps;
    if (await ledger.isSent(job.id)) {
      await queue.ack(claimed);
      return;
    }
    const withheld = await this.withheldBecause(job);
    if (withheld !== undefined) {
      this.deps.log.record(refOf(job), 'suppressed', withheld, job.attempt);
      await this.deps.log.whenDurable();
      await queue.ack(claimed);
      return;
    }
    const lease = await ledger.begin(job.id, this.consumer, this.leaseMs);
    if (lease.state === 'sent') {
      await queue.ack(claimed);
      return;
    }
    if (lease.state === 'busy') {
      // Another worker is sending it, or died while sending: look again when its lease ends.
      if (!(await queue.retryLater(claimed, job, this.deps.clock.now() + Math.max(lease.retryInMs, this.pollIntervalMs)))) this.takenOver(job);
      return;
    }
    let sent: SentEmail;
    const held = this.holdLease(job.id);
    try {
      const request = this.deps.personalise === undefined ? job.request : await this.deps.personalise(job);
      sent = await this.deps.sender.send(request);
    } catch (error) {
      await held.stop();
      await ledger.release(job.id, this.consumer);
      await this.failed(claimed, error);
      return;
    }
    await held.stop();
    // The one window for a duplicate: a crash between the SMTP server's acceptance and this line.
    await ledger.complete(job.id);
    this.deps.log.record(refOf(job), 'sent', sent.messageId, job.attempt);
    // Acked, the job is gone: its row must be in the journal first.
    await this.deps.log.whenDurable();
    await queue.ack(claimed);
  }

  /**
   * Keeps the trigger's lease while its send is in flight. A slow SMTP server (a greeting or a
   * DATA reply that takes minutes) must not let the lease lapse: a worker that reclaims the job
   * would then acquire it and send the email a second time.
   */
  private holdLease(id: string): { stop(): Promise<void> } {
    let renewing: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      renewing = this.deps.ledger.renew(id, this.consumer, this.leaseMs).then(
        (held) => {
          if (!held) this.deps.logger.error({ trigger: id, leaseMs: this.leaseMs }, 'send lease lost while sending (the process stalled longer than the lease?); another worker may send this trigger too');
        },
        (error: unknown) => this.deps.logger.warn({ err: error, trigger: id }, 'send lease not renewed; trying again'),
      );
    }, Math.max(1, Math.floor(this.leaseMs / 3)));
    timer.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        await renewing;
      },
    };
  }

  /**
   * Why the job must not be sent now, or undefined. An unsubscribe is from marketing: an order
   * confirmation still goes out. Consent is read again because the job may have waited (queue,
   * retries) since its trigger was screened.
   */
  private async withheldBecause(job: EmailJob): Promise<string | undefined> {
    const transactional = job.request.transactional === true;
    const suppressed = await this.deps.suppressions.find(job.site, job.request.to);
    if (suppressed !== undefined && !(transactional && suppressed.reason === 'unsubscribe')) return suppressed.reason;
    if (transactional) return undefined;
    const { profile } = await this.deps.profiles.snapshot({ site: job.site, visitor: job.visitor });
    return hasEmailConsent(profile) ? undefined : 'consent';
  }

  /** Another worker took the job over (it was held past reclaimAfter) and has moved it since: what happens to it next is that worker's to record. */
  private takenOver(job: EmailJob): void {
    this.deps.logger.warn({ trigger: job.id, attempt: job.attempt }, 'email job taken over by another worker while this one handled it (held longer than mailer.reclaimAfter); its retry or dead letter is not recorded here');
  }

  private async failed(claimed: ClaimedEmailJob, error: unknown): Promise<void> {
    const { job } = claimed;
    const reason = error instanceof Error ? error.message : String(error);
    const verdict = failureOf(error);
    this.deps.log.record(refOf(job), 'failed', reason, job.attempt);
    if (verdict === 'retry' && job.attempt < this.retry.attempts) {
      const next: EmailJob = { ...job, attempt: job.attempt + 1 };
      const dueAt = this.deps.clock.now() + retryDelay(this.retry, job.attempt);
      if (!(await this.deps.queue.retryLater(claimed, next, dueAt))) return this.takenOver(job);
      this.deps.log.record(refOf(job), 'retried', `try ${next.attempt} of ${this.retry.attempts} at ${new Date(dueAt).toISOString()}`, next.attempt);
      this.deps.logger.warn({ trigger: job.id, attempt: job.attempt, err: error }, 'email failed; will retry');
      return;
    }
    if (verdict === 'bounce') {
      await this.deps.suppressions.add({ site: job.site, email: job.request.to, reason: 'bounce', at: this.deps.clock.now(), detail: reason });
    }
    if (!(await this.deps.queue.deadLetter(claimed, reason))) return this.takenOver(job);
    this.deps.log.record(refOf(job), 'dead', reason, job.attempt);
    this.deps.logger.error({ trigger: job.id, attempt: job.attempt, err: error }, deadLetterMessage(job, verdict));
  }
}

const REPLAY = 'replay with `tripwire mailer dead-letters --replay`';

/** What an operator should do about a dead letter, by what was refused. */
function deadLetterMessage(job: EmailJob, verdict: Failure): string {
  switch (verdict) {
    case 'sender':
      return `email dead-lettered: the relay refused the sender address; check sites[${job.site}].from and that the relay may send as it, then ${REPLAY}`;
    case 'address':
      return 'email dead-lettered: the visitor\'s address is not one plain address; it is not retried';
    default:
      return `email dead-lettered; ${REPLAY}`;
  }
}

function refOf(job: EmailJob): DeliveryRef {
  return { trigger: job.id, site: job.site, visitor: job.visitor, scenario: job.scenario };
}

/** How a failed send ends: tried again, or dead-lettered (a bounce also suppresses the address). */
type Failure = 'retry' | 'permanent' | 'bounce' | 'sender' | 'address';

/**
 * 4xx replies and lost connections pass; 5xx replies will not change on a retry. Only a 5xx to
 * RCPT TO says the address itself is refused: a hard bounce. A 5xx to MAIL FROM refuses the
 * site's sender, and one to DATA the message: neither is the recipient's doing, so the address
 * stays off the suppression list. A template that does not render waits in the dead letters
 * until it is fixed; an address that is not one plain address never becomes one.
 */
function failureOf(error: unknown): Failure {
  if (isTripwireError(error) && error.code === 'TW_TEMPLATE_INVALID') return 'permanent';
  if (isTripwireError(error) && error.code === 'TW_EMAIL_ADDRESS_INVALID') return 'address';
  const smtp = (isTripwireError(error) ? error.cause : error) as { responseCode?: unknown; command?: unknown } | undefined;
  const status = typeof smtp?.responseCode === 'number' ? smtp.responseCode : 0;
  if (status < 500 || status >= 600) return 'retry';
  if (smtp?.command === 'RCPT TO') return 'bounce';
  if (smtp?.command === 'MAIL FROM') return 'sender';
  return 'permanent';
}
