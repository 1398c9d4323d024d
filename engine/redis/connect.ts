import { createClient, createCluster, type RedisClientType, type RedisClusterType } from 'redis';
import { TripwireError } from '../errors.js';
import { RedisConnection } from './redis-connection.js';

export interface RedisConnectOptions {
  /** Who connects, as the error message names it: "the window store", "the mailer"... */
  purpose: string;
  /** `url` is one node of a Redis Cluster, from which the client learns the others. */
  cluster?: boolean;
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
export async function connectRedis(url: string, options: RedisConnectOptions): Promise<RedisConnection> {
  const { purpose, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  let connected = false;
  const settings = {
    ...(options.hotPath === true ? { commandOptions: { timeout: 0 }, pingInterval: PING_INTERVAL_MS } : {}),
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: (retries: number) => (connected ? Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) : false),
    },
  };
  let client: RedisClientType | RedisClusterType;
  try {
    client = options.cluster === true ? createCluster({ rootNodes: [{ url }], defaults: clusterDefaults(url, settings) }) : createClient({ url, ...settings });
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
  if ('masters' in client) return RedisConnection.ofCluster(client);
  await refuseClusterNode(client, purpose, url);
  return RedisConnection.ofNode(client);
}

/** Each script of a frame batch touches many visitors' keys, which a cluster node refuses: say so at startup, not at the first frame. */
async function refuseClusterNode(client: RedisClientType, purpose: string, url: string): Promise<void> {
  const info = String(await client.sendCommand(['INFO', 'cluster']));
  if (!/^cluster_enabled:1\b/m.test(info)) return;
  client.destroy();
  throw new TripwireError('TW_CONFIG_INVALID', `${purpose}: Redis at ${maskedUrl(url)} is a node of a Redis Cluster; set REDIS_CLUSTER=true (store.redisCluster) so that Tripwire routes each command to its node.`);
}

/** A cluster's other nodes are reached as the one named: with its credentials, and over TLS for `rediss:`. */
function clusterDefaults<S extends { socket: object }>(url: string, settings: S) {
  const parsed = new URL(url);
  return {
    ...settings,
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    socket: { ...settings.socket, ...(parsed.protocol === 'rediss:' ? { tls: true as const } : {}) },
  };
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
