import { redisClusterForTests } from '../../test/support/redis-cluster.js';

/** A Redis Cluster for the cluster rows: REDIS_CLUSTER_URL (one of its nodes) when set, else three throwaway primaries. */
export interface BenchRedisCluster {
  url: string;
  /** "spawned 3 primaries" or "REDIS_CLUSTER_URL". */
  origin: string;
  stop(): Promise<void>;
}

export async function startBenchRedisCluster(): Promise<BenchRedisCluster> {
  const given = process.env.REDIS_CLUSTER_URL;
  const cluster = await redisClusterForTests();
  if ('skip' in cluster) throw new Error(`the cluster rows need a Redis Cluster: ${cluster.skip}`);
  const origin = given !== undefined && given !== '' ? 'REDIS_CLUSTER_URL' : 'spawned: 3 primaries, no replicas, on the same cores';
  return { url: cluster.url, origin, stop: () => cluster.stop() };
}
