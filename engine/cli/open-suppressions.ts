import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TripwireConfig } from '../config/index.js';
import { TripwireError } from '../errors.js';
import type { SuppressionList } from '../mailer/index.js';
import { FileSuppressionList } from '../mailer/file/index.js';
import { RedisMailerStore } from '../mailer/redis/index.js';

export interface OpenedSuppressions {
  list: SuppressionList;
  close(): Promise<void>;
}

/**
 * A command that only reads (`tripwire query`) run where no engine keeps its files: opening the
 * list there would create an empty data folder and read audiences with nobody suppressed.
 */
async function requireDataDir(config: TripwireConfig): Promise<void> {
  const dataDir = resolve(config.dataDir);
  try {
    if ((await stat(dataDir)).isDirectory()) return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const kept = config.warehouse.clickhouseUrl ? 'its suppression list (without REDIS_URL)' : 'its suppression list (without REDIS_URL) and its embedded warehouse (without CLICKHOUSE_URL)';
  throw new TripwireError(
    'TW_CONFIG_INVALID',
    `No data folder at ${dataDir} (TW_DATA_DIR "${config.dataDir}", from ${process.cwd()}): no engine keeps its files there, among them ${kept}. Run this in the engine's folder, or set TW_DATA_DIR to its data folder.`,
  );
}

/**
 * The engine's suppression list, chosen by the same config as the engine (compose-mailer.ts): on
 * Redis when REDIS_URL is set, else `<dataDir>/suppressions.ndjson`, shared with an engine that
 * may be running on it (it takes in what a command appends before its next read).
 */
export async function openSuppressions(config: TripwireConfig, { createDataDir = true }: { createDataDir?: boolean } = {}): Promise<OpenedSuppressions> {
  if (config.store.redisUrl) {
    const store = await RedisMailerStore.connect(config.store.redisUrl, { prefix: config.store.prefix, cluster: config.store.redisCluster });
    return { list: store.suppressions, close: () => store.close() };
  }
  if (!createDataDir) await requireDataDir(config);
  const list = await FileSuppressionList.open(join(config.dataDir, 'suppressions.ndjson'), { compact: false });
  return { list, close: () => list.close() };
}
