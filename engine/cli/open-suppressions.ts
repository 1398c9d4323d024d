import { join } from 'node:path';
import type { TripwireConfig } from '../config/index.js';
import type { SuppressionList } from '../mailer/index.js';
import { FileSuppressionList } from '../mailer/file/index.js';
import { RedisMailerStore } from '../mailer/redis/index.js';

export interface OpenedSuppressions {
  list: SuppressionList;
  close(): Promise<void>;
}

/**
 * The engine's suppression list, chosen by the same config as the engine (compose-mailer.ts): on
 * Redis when REDIS_URL is set, else `<dataDir>/suppressions.ndjson`, shared with an engine that
 * may be running on it (it takes in what a command appends before its next read).
 */
export async function openSuppressions(config: TripwireConfig): Promise<OpenedSuppressions> {
  if (config.store.redisUrl) {
    const store = await RedisMailerStore.connect(config.store.redisUrl, { prefix: config.store.prefix, cluster: config.store.redisCluster });
    return { list: store.suppressions, close: () => store.close() };
  }
  const list = await FileSuppressionList.open(join(config.dataDir, 'suppressions.ndjson'), { compact: false });
  return { list, close: () => list.close() };
}
