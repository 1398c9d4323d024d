import { createClient } from 'redis';
import { TripwireError } from '../../errors.js';
import type { StoreClient } from './store-client.js';

export interface ConnectedClient {
  client: StoreClient;
  /** Recorded by the client's 'error' listener; whoever reports health reads it. */
  lastError: Error | undefined;
}

/** Once connected, a lost connection is retried with this backoff, capped. */
const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * Connects or fails within `timeoutMs`: at startup an unreachable Redis is a configuration
 * problem to report, not something to retry forever.
 */
export async function connectStoreClient(url: string, timeoutMs: number): Promise<ConnectedClient> {
  let connected = false;
  let client: StoreClient;
  try {
    client = createClient({
      url,
      // A per-command timeout costs a timer per command on the hot path (a fifth of the client's
      // CPU in the benchmark); a dead connection is found by the ping instead, and unacked frames
      // are resent by their clients.
      commandOptions: { timeout: 0 },
      pingInterval: 5_000,
      socket: {
        connectTimeout: timeoutMs,
        reconnectStrategy: (retries: number) => (connected ? Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) : false),
      },
    });
  } catch (cause) {
    throw unavailable(url, cause);
  }
  const connection: ConnectedClient = { client, lastError: undefined };
  client.on('error', (error: Error) => {
    connection.lastError = error;
  });

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    client.destroy();
  }, timeoutMs);
  try {
    await client.connect();
    connected = true;
  } catch (cause) {
    if (client.isOpen) client.destroy();
    throw unavailable(url, timedOut ? new Error(`no answer within ${timeoutMs} ms`, { cause }) : cause);
  } finally {
    clearTimeout(timer);
  }
  return connection;
}

function unavailable(url: string, cause: unknown): TripwireError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new TripwireError('TW_STORE_UNAVAILABLE', `Cannot connect to Redis at ${maskedUrl(url)}: ${reason}`, {
    cause,
  });
}

/** The URL as logs may show it: the password replaced by "***". */
export function maskedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
