import { createClient, type RedisClientType } from 'redis';
import { TripwireError } from '../../errors.js';

export type MailerClient = RedisClientType;

const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * Connects or fails within `timeoutMs`: at startup an unreachable Redis is a configuration
 * problem to report; once connected, a lost connection is retried with a capped backoff.
 */
export async function connectMailerClient(url: string, timeoutMs: number): Promise<MailerClient> {
  let connected = false;
  let client: MailerClient;
  try {
    client = createClient({
      url,
      socket: {
        connectTimeout: timeoutMs,
        reconnectStrategy: (retries: number) => (connected ? Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) : false),
      },
    });
  } catch (cause) {
    throw unavailable(url, cause);
  }
  // Without a listener node-redis throws reconnection errors at the process; the commands in flight still fail.
  client.on('error', () => undefined);
  try {
    await client.connect();
    connected = true;
  } catch (cause) {
    if (client.isOpen) client.destroy();
    throw unavailable(url, cause);
  }
  return client;
}

function unavailable(url: string, cause: unknown): TripwireError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new TripwireError('TW_STORE_UNAVAILABLE', `The mailer cannot connect to Redis at ${masked(url)}: ${reason}`, { cause });
}

function masked(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
