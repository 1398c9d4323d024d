export type { ClaimOptions, ClaimedJob, DeadLetter, JobQueue, QueueDepth, QueuedJob, ReclaimOptions } from './job-queue.js';
export { MemoryJobQueue } from './memory-job-queue.js';
export { QueueWorker } from './queue-worker.js';
export type { QueueWorkerOptions } from './queue-worker.js';
export { readQueueDepths } from './queue-depth-reading.js';
export type { QueueDepthReading } from './queue-depth-reading.js';
