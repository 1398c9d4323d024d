import type { RedisConnection } from '../../redis/index.js';
import type { SendClaim, SendLedger } from '../send-ledger.js';
import { BEGIN_SEND, RELEASE_SEND, RENEW_SEND } from './mailer-scripts.js';

export interface RedisSendLedgerOptions {
  client: RedisConnection;
  prefix: string;
  /** How long a "sent" mark is kept; longer than any replay or duplicate can arrive. */
  retention?: number;
}

/**
 * `{prefix}:mail:sent:<trigger>`: absent, `sending:<consumer>` with the lease as its TTL (set
 * NX by a script that also reads the current state), then `sent` kept for `retention`.
 * Lease expiry runs on the Redis server's clock.
 */
export class RedisSendLedger implements SendLedger {
  private readonly client: RedisConnection;
  private readonly prefix: string;
  private readonly retention: number;

  constructor(options: RedisSendLedgerOptions) {
    this.client = options.client;
    this.prefix = `${options.prefix}:mail:sent:`;
    this.retention = options.retention ?? 30 * 86_400_000;
  }

  async begin(id: string, consumer: string, leaseMs: number): Promise<SendClaim> {
    const reply = (await this.client.script(BEGIN_SEND, [this.prefix + id], [consumer, String(Math.max(1, Math.ceil(leaseMs)))])) as [
      string,
      number,
    ];
    if (reply[0] === 'acquired') return { state: 'acquired' };
    if (reply[0] === 'sent') return { state: 'sent' };
    return { state: 'busy', retryInMs: Math.max(0, Number(reply[1])) };
  }

  async renew(id: string, consumer: string, leaseMs: number): Promise<boolean> {
    return Number(await this.client.script(RENEW_SEND, [this.prefix + id], [consumer, String(Math.max(1, Math.ceil(leaseMs)))])) === 1;
  }

  async complete(id: string): Promise<void> {
    await this.client.setWithTtl(this.prefix + id, 'sent', this.retention);
  }

  async release(id: string, consumer: string): Promise<void> {
    await this.client.script(RELEASE_SEND, [this.prefix + id], [consumer]);
  }

  async isSent(id: string): Promise<boolean> {
    return (await this.client.get(this.prefix + id)) === 'sent';
  }

  async close(): Promise<void> {}
}
