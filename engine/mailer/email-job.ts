import type { EmailRequest } from '../channels/email/index.js';

/**
 * One trigger's email, as the queue holds it. The trigger id is the job id and the idempotency
 * key of its send: however often the job is delivered, retried or replayed, the trigger gets
 * at most one email (see SendLedger).
 */
export interface EmailJob {
  id: string;
  /** 1 on the first try; a retry carries the next number, a reclaim keeps it. */
  attempt: number;
  enqueuedAt: number;
  /** What the warehouse rows are about. */
  site: string;
  visitor: string;
  scenario: string;
  request: EmailRequest;
}

/** A job a consumer holds until it acks, retries or dead-letters it. */
export interface ClaimedJob {
  job: EmailJob;
  /** The queue's handle on this delivery (a stream entry id on Redis). */
  receipt: string;
  consumer: string;
}

/** A job that used up its tries, kept for an operator to inspect and replay. */
export interface DeadLetter {
  job: EmailJob;
  error: string;
  at: number;
}

export function encodeJob(job: EmailJob): string {
  return JSON.stringify(job);
}

export function decodeJob(text: string): EmailJob {
  return JSON.parse(text) as EmailJob;
}
