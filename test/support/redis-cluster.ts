import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCluster } from 'redis';
import { freePort, isPortFree } from './free-port.js';
import { stopProcess, type RedisSkipped } from './redis-server.js';

const REDIS_SERVER = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';
const MASTERS = 3;
const START_DEADLINE_MS = 20_000;
const START_ATTEMPTS = 3;
const run = promisify(execFile);

export interface RedisClusterForTests {
  /** One node of the cluster; clients learn the others from it. */
  url: string;
  /** Stops the nodes this helper spawned; does nothing for REDIS_CLUSTER_URL. */
  stop(): Promise<void>;
}

/**
 * A Redis Cluster for server-backed tests: REDIS_CLUSTER_URL (one of its nodes) when set, else
 * three throwaway redis-server masters on free ports, joined with `redis-cli --cluster create`
 * and sharing the 16384 slots. Without the binaries the suite is skipped with the returned
 * reason, unless TW_REQUIRE_SERVERS=1, where this throws instead. `own`: throwaway nodes even
 * when REDIS_CLUSTER_URL is set, for a test that changes the cluster's layout (moves a slot)
 * under the other test files' feet otherwise.
 */
export async function redisClusterForTests({ own = false }: { own?: boolean } = {}): Promise<RedisClusterForTests | RedisSkipped> {
  const url = process.env.REDIS_CLUSTER_URL;
  if (!own && url !== undefined && url !== '') return { url, stop: async () => {} };
  if (!existsSync(REDIS_SERVER) || !existsSync(REDIS_CLI)) {
    const reason = `${own ? 'a cluster of its own is needed' : 'REDIS_CLUSTER_URL is not set'} and ${REDIS_SERVER} or ${REDIS_CLI} is not installed`;
    if (process.env.TW_REQUIRE_SERVERS === '1') throw new Error(`${reason}, and TW_REQUIRE_SERVERS=1 requires a Redis Cluster.`);
    return { skip: reason };
  }
  // A port found free can be taken before redis-server binds it (other suites spawn servers too): try again on others.
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnCluster();
    } catch (error) {
      if (attempt === START_ATTEMPTS) throw error;
      process.stderr.write(`redis cluster for tests, attempt ${attempt} of ${START_ATTEMPTS} failed; trying other ports: ${(error as Error).message.split('\n')[0]}\n`);
    }
  }
}

async function spawnCluster(): Promise<RedisClusterForTests> {
  const dir = await mkdtemp(join(tmpdir(), 'tw-redis-cluster-'));
  const nodes: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map(stopProcess));
    await rm(dir, { recursive: true, force: true });
  };
  let output = '';
  try {
    const ports: number[] = [];
    for (let n = 0; n < MASTERS; n++) {
      const port = await clusterPort(ports);
      ports.push(port);
      const node = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      node.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      node.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      nodes.push(node);
    }
    await Promise.all(ports.map(waitForPong));
    await run(REDIS_CLI, ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes']);
    await Promise.all(ports.map(waitForClusterOk));
    return { url: `redis://127.0.0.1:${ports[0]}`, stop };
  } catch (error) {
    await stop();
    throw new Error(`a Redis Cluster did not start: ${(error as Error).message}\n${output}`, { cause: error });
  }
}

/**
 * A free port not taken yet, whose cluster bus port (port + 10000) is free too: redis-server
 * refuses to start when it cannot bind both.
 */
async function clusterPort(taken: readonly number[]): Promise<number> {
  for (;;) {
    const port = await freePort();
    const bus = port + 10_000;
    const clashes = taken.some((other) => other === port || other + 10_000 === port || other === bus);
    if (bus <= 65_535 && !clashes && (await isPortFree(bus))) return port;
  }
}

async function waitForPong(port: number): Promise<void> {
  await until(async () => (await cli(port, 'PING')) === 'PONG', `no PONG from port ${port}`);
}

async function waitForClusterOk(port: number): Promise<void> {
  await until(async () => (await cli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), `port ${port} never reported cluster_state:ok`);
}

async function cli(port: number, ...command: string[]): Promise<string> {
  try {
    return (await run(REDIS_CLI, ['-p', String(port), ...command])).stdout.trim();
  } catch {
    return '';
  }
}

async function until(check: () => Promise<boolean>, failure: string): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(failure);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Removes every key under `prefix` on every master; one key at a time, since a command may not span slots. */
export async function removeRedisClusterKeys(url: string, prefix: string): Promise<void> {
  const cluster = createCluster({ rootNodes: [{ url }] });
  await cluster.connect();
  try {
    for (const master of cluster.masters) {
      const node = await cluster.nodeClient(master);
      for await (const keys of node.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) {
        for (const key of keys) await node.unlink(key);
      }
    }
  } finally {
    await cluster.close();
  }
}
