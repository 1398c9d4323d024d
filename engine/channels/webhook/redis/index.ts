export { redisWebhookQueue } from './redis-webhook-queue.js';
