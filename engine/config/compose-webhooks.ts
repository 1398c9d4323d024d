import { WebhookChannel, WebhookDeliveryLog, WebhookWorker, type WebhookJob, type WebhookQueue } from '../channels/webhook/index.js';
import { redisWebhookQueue } from '../channels/webhook/redis/index.js';
import type { Clock } from '../events/index.js';
import type { EngineMetrics, Logger } from '../observability/index.js';
import { MemoryJobQueue } from '../queue/index.js';
import { connectRedis } from '../redis/index.js';
import type { EventSink } from '../warehouse/index.js';
import { WEBHOOK_REQUEST_TIMEOUT_MS, type TripwireConfig } from './schema.js';

/** How long a retry may wait when it waits in Redis; in process a graceful stop waits for it, so 60 s. */
const MAX_RETRY_DELAY_ON_REDIS = 3_600_000;
const MAX_RETRY_DELAY_IN_PROCESS = 60_000;

/** The webhook channel's parts, as the engine holds them. */
export interface ComposedWebhooks {
  queue: WebhookQueue;
  /** The pipeline's WebhookPort. */
  channel: WebhookChannel;
  /** Started: every engine posts webhooks. */
  worker: WebhookWorker;
  /** On Redis, finishes the attempts in flight (the queue keeps the rest); in process, delivers everything queued first, retries included. */
  close(): Promise<void>;
}

export interface WebhookDeps {
  clock: Clock;
  logger: Logger;
  sink: EventSink;
  metrics: Pick<EngineMetrics, 'deliveries'>;
}

/** The queue on Redis (its own connection) when REDIS_URL is set, shared by every engine; else in process. */
export async function composeWebhooks(config: TripwireConfig, deps: WebhookDeps): Promise<ComposedWebhooks> {
  const { clock, logger } = deps;
  const redis = config.store.redisUrl
    ? await connectRedis(config.store.redisUrl, {
        purpose: 'The webhook queue',
        cluster: config.store.redisCluster,
        onError: (error) => logger.warn({ err: error }, 'webhook queue Redis connection error; reconnecting'),
      })
    : undefined;
  const queue: WebhookQueue = redis === undefined ? new MemoryJobQueue<WebhookJob>({ clock }) : redisWebhookQueue(redis, config.store.prefix, clock);
  const log = new WebhookDeliveryLog(deps.sink, deps.metrics, clock);
  const worker = new WebhookWorker(
    { queue, secrets: new Map(config.sites.map((site) => [site.key, site.secret])), log, clock, logger },
    {
      maxRetryDelayMs: config.webhooks.maxRetryDelay ?? (redis === undefined ? MAX_RETRY_DELAY_IN_PROCESS : MAX_RETRY_DELAY_ON_REDIS),
      reclaimAfterMs: config.webhooks.reclaimAfter,
      pollIntervalMs: config.webhooks.pollInterval,
      batch: config.webhooks.batch,
      timeoutMs: WEBHOOK_REQUEST_TIMEOUT_MS,
      perReceiver: config.webhooks.perReceiver,
      deadLetterRetentionMs: config.webhooks.deadLetterRetention,
    },
  );
  const channel = new WebhookChannel({ queue, log, clock, onEnqueued: () => worker.wake() });
  worker.start();
  return {
    queue,
    channel,
    worker,
    close: async () => {
      if (redis === undefined) {
        await worker.drain();
        return;
      }
      await worker.stop();
      await redis.close();
    },
  };
}
