import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { RedisCatalogueStore } from '../../engine/catalogue/redis/index.js';
import { redisForTests, removeRedisKeys } from '../support/redis-server.js';
import { describeCatalogueStoreContract } from './catalogue-store.contract.js';

const server = await redisForTests();
if ('url' in server) afterAll(() => server.stop());

const filePrefix = `tw-cat-${randomBytes(4).toString('hex')}`;
let opened = 0;
const failOnError = (error: Error) => {
  throw error;
};

describeCatalogueStoreContract(
  'RedisCatalogueStore',
  async () => {
    if (!('url' in server)) throw new Error('unreachable: the suite is skipped without a server');
    const prefix = `${filePrefix}-${++opened}`;
    const store = await RedisCatalogueStore.connect(server.url, { prefix, onError: failOnError });
    const peer = await RedisCatalogueStore.connect(server.url, { prefix, onError: failOnError });
    return {
      store,
      peer,
      close: async () => {
        await Promise.all([store.close(), peer.close()]);
        await removeRedisKeys(server.url, prefix);
      },
    };
  },
  'skip' in server ? { skip: server.skip } : {},
);
