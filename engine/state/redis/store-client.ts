import type { RedisConnection } from '../../redis/index.js';

/** The connection the store talks through, to one node or a cluster (see the key layout in redis-window-store.ts). */
export type StoreClient = RedisConnection;
