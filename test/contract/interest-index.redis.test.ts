import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { RedisWindowStore } from '../../engine/state/redis/index.js';
import { redisTargets, storePair } from '../support/redis-targets.js';
import { describeInterestIndexContract } from './interest-index.contract.js';

const redis = await redisTargets();
afterAll(() => redis.stop());

const filePrefix = `tw-int-${randomBytes(4).toString('hex')}`;
let opened = 0;

for (const target of redis.targets) {
  describeInterestIndexContract(
    target.cluster ? 'RedisInterestIndex on a Redis Cluster' : 'RedisInterestIndex',
    async (bounds) => {
      const prefix = `${filePrefix}-${++opened}`;
      const pair = await storePair(target, prefix, () => RedisWindowStore.connect(target.url, { prefix, cluster: target.cluster }));
      return { index: pair.mine.interestIndex(bounds), peer: pair.peer.interestIndex(bounds), close: pair.close };
    },
    target.skip === undefined ? {} : { skip: target.skip },
  );
}
