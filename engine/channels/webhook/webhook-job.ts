import type { JobQueue, QueuedJob } from '../../queue/index.js';

/**
 * One trigger's webhook, as the queue holds it. The body is kept as the bytes first sent, so
 * every attempt posts the same delivery (only its signature's time changes); the trigger id is
 * the job id and the receiver's `X-Tripwire-Trigger`.
 */
export interface WebhookJob extends QueuedJob {
  enqueuedAt: number;
  /** What the warehouse rows are about. */
  site: string;
  visitor: string;
  scenario: string;
  url: string;
  body: string;
}

/** The hand-over between the pipeline and the webhook workers: on Redis, shared by every engine. */
export type WebhookQueue = JobQueue<WebhookJob>;
