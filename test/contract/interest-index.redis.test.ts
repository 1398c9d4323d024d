import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { RedisWindowStore } from '../../engine/state/redis/index.js';
import { redisForTests, removeRedisKeys } from '../support/redis-server.js';
import { describeInterestIndexContract } from './interest-index.contract.js';

const server = await redisForTests();
if ('url' in server) afterAll(() => server.stop());

const filePrefix = `tw-int-${randomBytes(4).toString('hex')}`;
let opened = 0;

describeInterestIndexContract(
  'RedisInterestIndex',
  async (bounds) => {
    if (!('url' in server)) throw new Error('unreachable: the suite is skipped without a server');
    const prefix = `${filePrefix}-${++opened}`;
    const store = await RedisWindowStore.connect(server.url, { prefix });
    const peerStore = await RedisWindowStore.connect(server.url, { prefix });
    return {
      index: store.interestIndex(bounds),
      peer: peerStore.interestIndex(bounds),
      close: async () => {
        await Promise.all([store.close(), peerStore.close()]);
        await removeRedisKeys(server.url, prefix);
      },
    };
  },
  'skip' in server ? { skip: server.skip } : {},
);
