import type { RedisClientType } from 'redis';

/**
 * The client the store talks through, created and connected by the caller. A single node (or
 * a replica set's primary); Redis Cluster needs a routing client and is not supported yet.
 */
export type StoreClient = RedisClientType;
