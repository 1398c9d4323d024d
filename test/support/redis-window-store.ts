import { randomBytes } from 'node:crypto';
import { createClient, createCluster, type RedisClientType } from 'redis';
import { RedisConnection } from '../../engine/redis/index.js';
import { RedisWindowStore, type RedisWindowStoreOptions } from '../../engine/state/redis/index.js';
import { removeRedisKeys } from './redis-server.js';
import type { RedisTarget } from './redis-targets.js';

/** A RedisWindowStore on a client of its own (which tests may read Redis through) and a key prefix no other test uses. */
export interface TestWindowStore {
  client: RedisClientType;
  store: RedisWindowStore;
  prefix: string;
}

let opened = 0;
const run = randomBytes(4).toString('hex');

export async function openTestWindowStore(url: string, options: Omit<RedisWindowStoreOptions, 'client' | 'prefix'>): Promise<TestWindowStore> {
  const prefix = `tw-${run}-${++opened}`;
  const client = createClient({ url });
  await client.connect();
  return { client, store: new RedisWindowStore({ ...options, client: RedisConnection.ofNode(client), prefix }), prefix };
}

/** Closes the store and its client (if a test has not already) and removes every key under its prefix. */
export async function closeTestWindowStore(url: string, { client, store, prefix }: TestWindowStore): Promise<void> {
  await store.close();
  if (client.isOpen) await client.close();
  await removeRedisKeys(url, prefix);
}

/** A RedisWindowStore on a deployment of `redisTargets()`, with what the batch specification does to it from outside. */
export interface TargetWindowStore {
  store: RedisWindowStore;
  prefix: string;
  /** Writes a plain string under `key` (where the store expects a window, say). */
  set(key: string, value: string): Promise<unknown>;
  /** Removes `key`. */
  del(key: string): Promise<unknown>;
  /** Drops the store's connection under it, as a network failure would. */
  cut(): void;
  /** Closes the store and removes its keys. */
  close(): Promise<void>;
}

export async function openTargetWindowStore(target: RedisTarget, options: Omit<RedisWindowStoreOptions, 'client' | 'prefix'>): Promise<TargetWindowStore> {
  if (!target.cluster) {
    const opened = await openTestWindowStore(target.url, options);
    return { ...opened, set: (key, value) => opened.client.set(key, value), del: (key) => opened.client.del(key), cut: () => opened.client.destroy(), close: () => closeTestWindowStore(target.url, opened) };
  }
  const prefix = `tw-${run}-${++opened}`;
  const client = createCluster({ rootNodes: [{ url: target.url }] });
  await client.connect();
  const store = new RedisWindowStore({ ...options, client: RedisConnection.ofCluster(client), prefix });
  return {
    store,
    prefix,
    set: (key, value) => client.set(key, value),
    del: (key) => client.del(key),
    cut: () => client.destroy(),
    close: async () => {
      await store.close();
      if (client.isOpen) await client.close();
      await target.removeKeys(prefix);
    },
  };
}
