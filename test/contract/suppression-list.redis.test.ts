import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { RedisMailerStore } from '../../engine/mailer/redis/index.js';
import { redisTargets, storePair } from '../support/redis-targets.js';
import { describeSuppressionListContract } from './suppression-list.contract.js';

const redis = await redisTargets();
afterAll(() => redis.stop());

const filePrefix = `tw-suppress-${randomBytes(4).toString('hex')}`;
let opened = 0;

for (const target of redis.targets) {
  describeSuppressionListContract(
    target.cluster ? 'RedisSuppressionList on a Redis Cluster' : 'RedisSuppressionList',
    async () => {
      const prefix = `${filePrefix}-${++opened}`;
      const pair = await storePair(target, prefix, () => RedisMailerStore.connect(target.url, { prefix, cluster: target.cluster }));
      return { list: pair.mine.suppressions, peer: pair.peer.suppressions, close: pair.close };
    },
    target.skip === undefined ? {} : { skip: target.skip },
  );
}
