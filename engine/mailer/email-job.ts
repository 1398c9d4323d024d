import type { EmailRequest } from '../channels/email/index.js';
import type { QueuedJob } from '../queue/index.js';

/**
 * One trigger's email, as the queue holds it. The trigger id is the job id and the idempotency
 * key of its send: however often the job is delivered, retried or replayed, the trigger gets
 * at most one email (see SendLedger).
 */
export interface EmailJob extends QueuedJob {
  enqueuedAt: number;
  /** What the warehouse rows are about. */
  site: string;
  visitor: string;
  scenario: string;
  request: EmailRequest;
}
