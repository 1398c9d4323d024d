export { RedisJobQueue } from './redis-job-queue.js';
export type { RedisJobQueueOptions } from './redis-job-queue.js';
