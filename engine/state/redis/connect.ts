import { connectRedis, type RedisConnection } from '../../redis/index.js';

export interface ConnectedClient {
  client: RedisConnection;
  /** Recorded by the client's 'error' listener; whoever reports health reads it. */
  lastError: Error | undefined;
}

/** The window store's client: on the hot path, and its last error kept for health checks. */
export async function connectStoreClient(url: string, timeoutMs: number | undefined, cluster: boolean | undefined): Promise<ConnectedClient> {
  let lastError: Error | undefined;
  const client = await connectRedis(url, { purpose: 'The window store', cluster, timeoutMs, hotPath: true, onError: (error) => (lastError = error) });
  return {
    client,
    get lastError() {
      return lastError;
    },
  };
}
