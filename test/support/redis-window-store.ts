import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { RedisWindowStore, type RedisWindowStoreOptions } from '../../engine/state/redis/index.js';
import type { StoreClient } from '../../engine/state/redis/store-client.js';
import { removeRedisKeys } from './redis-server.js';

/** A RedisWindowStore on a client of its own and a key prefix no other test uses. */
export interface TestWindowStore {
  client: StoreClient;
  store: RedisWindowStore;
  prefix: string;
}

let opened = 0;
const run = randomBytes(4).toString('hex');

export async function openTestWindowStore(url: string, options: Omit<RedisWindowStoreOptions, 'client' | 'prefix'>): Promise<TestWindowStore> {
  const prefix = `tw-${run}-${++opened}`;
  const client = createClient({ url });
  await client.connect();
  return { client, store: new RedisWindowStore({ ...options, client, prefix }), prefix };
}

/** Closes the store and its client (if a test has not already) and removes every key under its prefix. */
export async function closeTestWindowStore(url: string, { client, store, prefix }: TestWindowStore): Promise<void> {
  await store.close();
  if (client.isOpen) await client.close();
  await removeRedisKeys(url, prefix);
}
