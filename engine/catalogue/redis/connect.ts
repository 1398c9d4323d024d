import { createClient, type RedisClientType } from 'redis';
import { TripwireError } from '../../errors.js';

/** Connects or fails within `timeoutMs`: an unreachable Redis at startup is a configuration problem to report. */
export async function connectCatalogueClient(url: string, timeoutMs: number, onError: (error: Error) => void): Promise<RedisClientType> {
  let connected = false;
  const client: RedisClientType = createClient({
    url,
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: (retries: number) => (connected ? Math.min(50 * 2 ** retries, 2000) : false),
    },
  });
  // Connection errors between commands (a reconnect) go to the caller's log; commands reject on their own.
  client.on('error', onError);
  try {
    await client.connect();
    connected = true;
  } catch (cause) {
    if (client.isOpen) client.destroy();
    throw new TripwireError('TW_STORE_UNAVAILABLE', `The catalogue cannot connect to Redis: ${(cause as Error).message}`, { cause });
  }
  return client;
}
