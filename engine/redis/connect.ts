import { ErrorReply, createClient, createCluster, type RedisClientType, type RedisClusterType } from 'redis';
import { TripwireError } from '../errors.js';
import { withinDeadline } from '../events/index.js';
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
    client =
      options.cluster === true
        ? createCluster({ rootNodes: [{ url }], defaults: clusterDefaults(url, settings), ...(options.hotPath === true ? { commandOptions: { timeout: 0 } } : {}) })
        : createClient({ url, ...settings });
  } catch (cause) {
    throw unavailable(purpose, url, cause);
  }
  // Without a listener node-redis throws reconnection errors at the process; a cluster reports
  // its nodes' errors apart.
  const onError = options.onError ?? (() => undefined);
  client.on('error', onError);
  if ('masters' in client) client.on('node-error', onError);

  try {
    // A destroyed cluster client leaves its connect() pending: the deadline is raced, not relied on.
    await withinDeadline<unknown>(client.connect(), timeoutMs);
    if (!client.isOpen) throw new Error('the connection closed while it was being made');
    connected = true;
  } catch (cause) {
    client.destroy();
    if (options.cluster === true && (await isLoneNode(url, timeoutMs))) {
      throw new TripwireError('TW_CONFIG_INVALID', `${purpose}: Redis at ${maskedUrl(url)} is not a node of a Redis Cluster; unset REDIS_CLUSTER (store.redisCluster) to use it as one node.`, { cause });
    }
    throw unavailable(purpose, url, cause);
  }
  if ('masters' in client) return RedisConnection.ofCluster(client);
  if (await isClusterNode(client, purpose, url)) {
    client.destroy();
    throw new TripwireError('TW_CONFIG_INVALID', `${purpose}: Redis at ${maskedUrl(url)} is a node of a Redis Cluster; set REDIS_CLUSTER=true (store.redisCluster) so that Tripwire routes each command to its node.`);
  }
  return RedisConnection.ofNode(client);
}

/**
 * A frame batch's script touches many visitors' keys, which a cluster node refuses: found at
 * startup, not at the first frame. A user who may not run INFO (ACLs often deny @dangerous) is
 * not checked: it connects, and a cluster would answer CROSSSLOT at the first frame.
 */
async function isClusterNode(client: RedisClientType, purpose: string, url: string): Promise<boolean> {
  try {
    return (await clusterEnabled(client)) === true;
  } catch (error) {
    client.destroy();
    throw unavailable(purpose, url, error);
  }
}

/**
 * Why a cluster client found no cluster at `url`: true when a Redis answers there that is not a
 * cluster node. A probe for a better message: any failure of its own leaves the first one's.
 */
async function isLoneNode(url: string, timeoutMs: number): Promise<boolean> {
  const client: RedisClientType = createClient({ url, socket: { connectTimeout: timeoutMs, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await withinDeadline(client.connect(), timeoutMs);
    return (await withinDeadline(clusterEnabled(client), timeoutMs)) === false;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

/**
 * INFO's cluster_enabled; undefined when INFO is refused (an ACL denying @dangerous, or the
 * command renamed away): the check is then skipped, not the connection.
 */
async function clusterEnabled(client: RedisClientType): Promise<boolean | undefined> {
  let info: unknown;
  try {
    info = await client.sendCommand(['INFO', 'cluster']);
  } catch (error) {
    if (error instanceof ErrorReply) return undefined;
    throw error;
  }
  return /^cluster_enabled:1\b/m.test(String(info));
}

/**
 * A cluster's other nodes are reached as the one named: with its credentials, and over TLS for
 * `rediss:` (each node's certificate checked against the address the cluster announces for it).
 */
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
