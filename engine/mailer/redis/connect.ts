import type { RedisClientType } from 'redis';
import { connectRedis } from '../../redis/index.js';

export type MailerClient = RedisClientType;

export function connectMailerClient(url: string, timeoutMs: number): Promise<MailerClient> {
  return connectRedis(url, { purpose: 'The mailer', timeoutMs });
}
