import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { RedisMailerStore } from '../../engine/mailer/redis/index.js';
import { redisForTests, removeRedisKeys } from '../support/redis-server.js';
import { describeSuppressionListContract } from './suppression-list.contract.js';

const server = await redisForTests();
if ('url' in server) afterAll(() => server.stop());

const filePrefix = `tw-suppress-${randomBytes(4).toString('hex')}`;
let opened = 0;

describeSuppressionListContract(
  'RedisSuppressionList',
  async () => {
    if (!('url' in server)) throw new Error('unreachable: the suite is skipped without a server');
    const url = server.url;
    const prefix = `${filePrefix}-${++opened}`;
    const [mine, peer] = await Promise.all([RedisMailerStore.connect(url, { prefix }), RedisMailerStore.connect(url, { prefix })]);
    return {
      list: mine.suppressions,
      peer: peer.suppressions,
      close: async () => {
        await Promise.all([mine.close(), peer.close()]);
        await removeRedisKeys(url, prefix);
      },
    };
  },
  'skip' in server ? { skip: server.skip } : {},
);

