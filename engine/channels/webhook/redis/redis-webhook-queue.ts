import type { Clock } from '../../../events/index.js';
import { RedisJobQueue } from '../../../queue/redis/index.js';
import type { RedisConnection } from '../../../redis/index.js';
import type { WebhookJob, WebhookQueue } from '../webhook-job.js';

/**
 * The webhook queue on Redis Streams: `{prefix}:webhook:jobs`, `:delayed`, `:dead` and `:dead-sweep`
 * (`{prefix}:{webhook}:…` on a Redis Cluster), read by the consumer group "webhooks". Every
 * engine on the Redis works it, so a retry waiting there, or a webhook an engine died posting,
 * is delivered by whichever engine is still running.
 */
export function redisWebhookQueue(client: RedisConnection, prefix: string, clock?: Clock): WebhookQueue {
  return new RedisJobQueue<WebhookJob>({ client, prefix, name: 'webhook', group: 'webhooks', ...(clock === undefined ? {} : { clock }) });
}
