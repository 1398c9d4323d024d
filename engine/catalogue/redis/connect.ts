import type { RedisClientType } from 'redis';
import { connectRedis } from '../../redis/index.js';

export function connectCatalogueClient(url: string, timeoutMs: number, onError: (error: Error) => void): Promise<RedisClientType> {
  return connectRedis(url, { purpose: 'The catalogue', timeoutMs, onError });
}
