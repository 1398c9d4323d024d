import { createClient, type RedisClientType } from 'redis';
import { TripwireError } from '../errors.js';

export interface RedisConnectOptions {
  /** Who connects, as the error message names it: "the window store", "the mailer"... */
  purpose: string;
  /** How long to wait at startup before failing; default 5000 ms. */
  timeoutMs?: number;
  /** Errors the client reports between commands (while reconnecting); commands in flight reject on their own. */
  onError?: (error: Error) => void;
  /**
   * For a client on the engine's hot path: no per-command timeout, whose timer per command cost a
   * fifth of the client's CPU in the benchmark; a liveness ping finds a dead connection instead.
   */
  hotPath?: boolean;
}

/** Once connected, a lost connection is retried with this backoff, capped. */
const MAX_RECONNECT_DELAY_MS = 2000;
const PING_INTERVAL_MS = 5000;
const DEFAULT_TIMEOUT_MS = 5000;

/**
 * The one way Tripwire's Redis adapters connect: connect or fail within `timeoutMs` (at startup an
 * unreachable Redis is a configuration problem to report, not something to retry forever), then
 * retry a lost connection with a capped backoff.
 */
export async function connectRedis(url: string, options: RedisConnectOptions): Promise<RedisClientType> {
  const { purpose, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  let connected = false;
  let client: RedisClientType;
  try {
    client = createClient({
      url,
      ...(options.hotPath === true ? { commandOptions: { timeout: 0 }, pingInterval: PING_INTERVAL_MS } : {}),
      socket: {
        connectTimeout: timeoutMs,
        reconnectStrategy: (retries: number) => (connected ? Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) : false),
      },
    });
  } catch (cause) {
    throw unavailable(purpose, url, cause);
  }
  // Without a listener node-redis throws reconnection errors at the process.
  client.on('error', options.onError ?? (() => undefined));

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
    throw unavailable(purpose, url, timedOut ? new Error(`no answer within ${timeoutMs} ms`, { cause }) : cause);
  } finally {
    clearTimeout(timer);
  }
  return client;
}

function unavailable(purpose: string, url: string, cause: unknown): TripwireError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new TripwireError('TW_STORE_UNAVAILABLE', `${purpose} cannot connect to Redis at ${maskedUrl(url)}: ${reason}`, { cause });
}

/** The URL as logs may show it: the password replaced by "***". */
function maskedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
