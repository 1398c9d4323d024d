import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll } from 'vitest';
import { RedisMailerStore } from '../../engine/mailer/redis/index.js';
import { redisForTests, removeRedisKeys } from '../support/redis-server.js';
import { describeEmailQueueContract } from './email-queue.contract.js';

const server = await redisForTests();
if ('url' in server) afterAll(() => server.stop());

const filePrefix = `tw-mail-${randomBytes(4).toString('hex')}`;
let opened = 0;

describeEmailQueueContract(
  'Redis mailer store',
  async (clock) => {
    if (!('url' in server)) throw new Error('unreachable: the suite is skipped without a server');
    const url = server.url;
    const prefix = `${filePrefix}-${++opened}`;
    const [mine, peer] = await Promise.all([RedisMailerStore.connect(url, { prefix, clock }), RedisMailerStore.connect(url, { prefix, clock })]);
    return {
      queue: mine.queue,
      peer: peer.queue,
      ledger: mine.ledger,
      peerLedger: peer.ledger,
      // Idle times and lease TTLs run on the Redis server's clock: only real time moves them.
      passTime: async (ms) => {
        clock.advance(ms);
        await delay(ms);
      },
      close: async () => {
        await Promise.all([mine.close(), peer.close()]);
        await removeRedisKeys(url, prefix);
      },
    };
  },
  'skip' in server ? { skip: server.skip } : {},
);

