import type { Clock } from '../../events/index.js';
import { RedisJobQueue } from '../../queue/redis/index.js';
import { connectRedis, type RedisConnection } from '../../redis/index.js';
import type { EmailJob } from '../email-job.js';
import { RedisSendLedger } from './redis-send-ledger.js';
import { RedisSuppressionList } from './redis-suppression-list.js';

export interface RedisMailerStoreOptions {
  prefix: string;
  /** The URL is one node of a Redis Cluster. */
  cluster?: boolean;
  clock?: Clock;
  /** How long a "sent" mark is kept. */
  ledgerRetention?: number;
  connectTimeoutMs?: number;
  /** Errors the connection reports between commands, while it reconnects (commands in flight reject on their own). */
  onError?: (error: Error) => void;
}

/** The mailer's queue, ledger and suppression list on one Redis connection of their own. */
export class RedisMailerStore {
  static async connect(url: string, options: RedisMailerStoreOptions): Promise<RedisMailerStore> {
    return new RedisMailerStore(await connectRedis(url, { purpose: 'The mailer', cluster: options.cluster, timeoutMs: options.connectTimeoutMs, onError: options.onError }), options);
  }

  readonly queue: RedisJobQueue<EmailJob>;
  readonly ledger: RedisSendLedger;
  readonly suppressions: RedisSuppressionList;

  private constructor(
    private readonly client: RedisConnection,
    options: RedisMailerStoreOptions,
  ) {
    const clock = options.clock === undefined ? {} : { clock: options.clock };
    // "mail" and "mailers" are the names queues were created under before the queue served webhooks too.
    this.queue = new RedisJobQueue<EmailJob>({ client, prefix: options.prefix, name: 'mail', group: 'mailers', ...clock });
    const retention = options.ledgerRetention === undefined ? {} : { retention: options.ledgerRetention };
    this.ledger = new RedisSendLedger({ client, prefix: options.prefix, ...retention });
    this.suppressions = new RedisSuppressionList({ client, prefix: options.prefix });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
