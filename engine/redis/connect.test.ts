import { createServer, type AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { redisClusterForTests } from '../../test/support/redis-cluster.js';
import { redisForTests } from '../../test/support/redis-server.js';
import { connectRedis } from './connect.js';

const [node, cluster] = await Promise.all([redisForTests(), redisClusterForTests()]);
afterAll(() => Promise.all([node, cluster].map((server) => ('stop' in server ? server.stop() : undefined))));

describe.skipIf('skip' in cluster)('connectRedis to a Redis Cluster', () => {
  const url = 'url' in cluster ? cluster.url : '';

  it('refuses a cluster node without the cluster setting, and names the setting', async () => {
    await expect(connectRedis(url, { purpose: 'The window store' })).rejects.toMatchObject({
      code: 'TW_CONFIG_INVALID',
      message: expect.stringContaining('REDIS_CLUSTER=true'),
    });
  });

  it('reaches the keys of every node through one of them', async () => {
    const connection = await connectRedis(url, { purpose: 'a test', cluster: true });
    try {
      const keys = Array.from({ length: 20 }, (_, n) => `tw-connect-test:{k${n}}`);
      await Promise.all(keys.map((key, n) => connection.setWithTtl(key, String(n), 60_000)));
      expect(await Promise.all(keys.map((key) => connection.get(key)))).toEqual(keys.map((_, n) => String(n)));
      expect(await Promise.all(keys.map((key) => connection.send(key, ['UNLINK', key])))).toEqual(keys.map(() => 1));
    } finally {
      await connection.close();
    }
  });

  it('pings every primary', async () => {
    const connection = await connectRedis(url, { purpose: 'a test', cluster: true });
    try {
      await expect(connection.ping()).resolves.toBeUndefined();
    } finally {
      await connection.close();
    }
  });
});

describe.skipIf('skip' in node)('connectRedis to one node', () => {
  const url = 'url' in node ? node.url : '';

  it('refuses the cluster setting for a node that is not in a cluster, and names the setting', async () => {
    await expect(connectRedis(url, { purpose: 'The window store', cluster: true, timeoutMs: 2000 })).rejects.toMatchObject({
      code: 'TW_CONFIG_INVALID',
      message: expect.stringContaining('unset REDIS_CLUSTER'),
    });
  });

  it('connects as a user who may not run INFO (ACLs often deny @dangerous commands)', async () => {
    const admin = await connectRedis(url, { purpose: 'a test' });
    const user = `tw-limited-${process.pid}`;
    await admin.send(undefined, ['ACL', 'SETUSER', user, 'on', '>secret', '~*', '+@all', '-@dangerous']);
    try {
      const limited = new URL(url);
      limited.username = user;
      limited.password = 'secret';
      const connection = await connectRedis(limited.toString(), { purpose: 'a test' });
      await connection.setWithTtl('tw-connect-test:limited', '1', 60_000);
      expect(await connection.get('tw-connect-test:limited')).toBe('1');
      await connection.close();
    } finally {
      await admin.send(undefined, ['ACL', 'DELUSER', user]);
      await admin.close();
    }
  });
});

describe('connectRedis to an endpoint that never answers', () => {
  it.each([false, true])('fails within its deadline, cluster setting %s', async (cluster) => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      await expect(connectRedis(`redis://127.0.0.1:${port}`, { purpose: 'The window store', cluster, timeoutMs: 300 })).rejects.toMatchObject({
        code: 'TW_STORE_UNAVAILABLE',
        message: expect.stringContaining('no answer within 300 ms'),
      });
    } finally {
      silent.close();
    }
  });
});
