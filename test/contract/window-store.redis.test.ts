import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { RedisWindowStore } from '../../engine/state/redis/index.js';
import { redisTargets, storePair } from '../support/redis-targets.js';
import { describeWindowStoreContract } from './window-store.contract.js';

const redis = await redisTargets();
afterAll(() => redis.stop());

// Files (and tests) share one server: each test gets its own prefix, so its due index is its own.
const filePrefix = `tw-test-${randomBytes(4).toString('hex')}`;
let opened = 0;

for (const target of redis.targets) {
  describeWindowStoreContract(
    target.cluster ? 'RedisWindowStore on a Redis Cluster' : 'RedisWindowStore',
    async ({ retention }) => {
      const prefix = `${filePrefix}-${++opened}`;
      const pair = await storePair(target, prefix, () => RedisWindowStore.connect(target.url, { prefix, retention, cluster: target.cluster }));
      return { store: pair.mine, peer: pair.peer, close: pair.close };
    },
    target.skip === undefined ? {} : { skip: target.skip },
  );
}
