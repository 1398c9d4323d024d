import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { RedisWindowStore } from '../../engine/state/redis/index.js';
import { redisForTests, removeRedisKeys } from '../support/redis-server.js';
import { describeWindowStoreContract } from './window-store.contract.js';

const server = await redisForTests();
if ('url' in server) afterAll(() => server.stop());

// Files (and tests) share one server: each test gets its own prefix, so its due index is its own.
const filePrefix = `tw-test-${randomBytes(4).toString('hex')}`;
let opened = 0;

describeWindowStoreContract(
  'RedisWindowStore',
  async ({ retention }) => {
    if (!('url' in server)) throw new Error('unreachable: the suite is skipped without a server');
    const url = server.url;
    const prefix = `${filePrefix}-${++opened}`;
    const store = await RedisWindowStore.connect(url, { prefix, retention });
    const peer = await RedisWindowStore.connect(url, { prefix, retention });
    return {
      store,
      peer,
      close: async () => {
        await Promise.all([store.close(), peer.close()]);
        await removeRedisKeys(url, prefix);
      },
    };
  },
  'skip' in server ? { skip: server.skip } : {},
);

