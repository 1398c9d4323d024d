import type { ClaimedJob, JobQueue } from '../queue/index.js';
import type { EmailJob } from './email-job.js';

/** The durable hand-over between the pipeline and the mailer workers (engine/queue). */
export type EmailQueue = JobQueue<EmailJob>;

export type ClaimedEmailJob = ClaimedJob<EmailJob>;
