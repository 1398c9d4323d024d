import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { RedisCatalogueStore } from '../../engine/catalogue/redis/index.js';
import { redisTargets, storePair } from '../support/redis-targets.js';
import { describeCatalogueStoreContract } from './catalogue-store.contract.js';

const redis = await redisTargets();
afterAll(() => redis.stop());

const filePrefix = `tw-cat-${randomBytes(4).toString('hex')}`;
let opened = 0;
const failOnError = (error: Error) => {
  throw error;
};

for (const target of redis.targets) {
  describeCatalogueStoreContract(
    target.cluster ? 'RedisCatalogueStore on a Redis Cluster' : 'RedisCatalogueStore',
    async () => {
      const prefix = `${filePrefix}-${++opened}`;
      const pair = await storePair(target, prefix, () => RedisCatalogueStore.connect(target.url, { prefix, cluster: target.cluster, onError: failOnError }));
      return { store: pair.mine, peer: pair.peer, close: pair.close };
    },
    target.skip === undefined ? {} : { skip: target.skip },
  );
}
