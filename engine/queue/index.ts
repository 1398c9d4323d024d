export type { ClaimOptions, ClaimedJob, DeadLetter, JobQueue, QueueDepth, QueuedJob, ReclaimOptions } from './job-queue.js';
export { MemoryJobQueue } from './memory-job-queue.js';
