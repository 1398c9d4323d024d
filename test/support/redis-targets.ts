import { redisClusterForTests, removeRedisClusterKeys } from './redis-cluster.js';
import { redisForTests, removeRedisKeys } from './redis-server.js';

/** One Redis deployment a contract runs on. */
export interface RedisTarget {
  /** In suite names: "Redis" or "Redis Cluster". */
  name: string;
  /** Why the suite is skipped on it (no server, TW_REQUIRE_SERVERS unset); undefined when it runs. */
  skip: string | undefined;
  url: string;
  cluster: boolean;
  /** A shared server outlives the run: a suite removes every key under its prefix. */
  removeKeys(prefix: string): Promise<void>;
}

/**
 * The deployments every Redis-backed contract runs on: one node (REDIS_URL, or a throwaway
 * redis-server) and a Redis Cluster (REDIS_CLUSTER_URL, or three throwaway nodes). `stop` ends
 * the servers this started.
 */
export async function redisTargets(): Promise<{ targets: RedisTarget[]; stop(): Promise<void> }> {
  const [nodeStart, clusterStart] = await Promise.allSettled([redisForTests(), redisClusterForTests()]);
  if (nodeStart.status === 'rejected' || clusterStart.status === 'rejected') {
    // One failed (TW_REQUIRE_SERVERS=1 and a server missing): the other is not left running.
    for (const started of [nodeStart, clusterStart]) if (started.status === 'fulfilled' && 'stop' in started.value) await started.value.stop();
    throw nodeStart.status === 'rejected' ? nodeStart.reason : (clusterStart as PromiseRejectedResult).reason;
  }
  const [node, cluster] = [nodeStart.value, clusterStart.value];
  const targets: RedisTarget[] = [
    'url' in node
      ? { name: 'Redis', skip: undefined, url: node.url, cluster: false, removeKeys: (prefix) => removeRedisKeys(node.url, prefix) }
      : { name: 'Redis', skip: node.skip, url: '', cluster: false, removeKeys: async () => {} },
    'url' in cluster
      ? { name: 'Redis Cluster', skip: undefined, url: cluster.url, cluster: true, removeKeys: (prefix) => removeRedisClusterKeys(cluster.url, prefix) }
      : { name: 'Redis Cluster', skip: cluster.skip, url: '', cluster: true, removeKeys: async () => {} },
  ];
  return {
    targets,
    stop: async () => {
      await Promise.all([node, cluster].map((server) => ('stop' in server ? server.stop() : undefined)));
    },
  };
}

/**
 * Two clients of one store under a prefix of their own (a test's engine and a peer engine), as a
 * contract's harness: `close` closes both and removes the prefix's keys.
 */
export async function storePair<T extends { close(): Promise<void> }>(target: RedisTarget, prefix: string, connect: () => Promise<T>): Promise<{ mine: T; peer: T; close(): Promise<void> }> {
  const [mine, peer] = await Promise.all([connect(), connect()]);
  return {
    mine,
    peer,
    close: async () => {
      await Promise.all([mine.close(), peer.close()]);
      await target.removeKeys(prefix);
    },
  };
}
