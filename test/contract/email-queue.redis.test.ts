import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll } from 'vitest';
import { RedisMailerStore } from '../../engine/mailer/redis/index.js';
import { redisTargets, storePair } from '../support/redis-targets.js';
import { describeEmailQueueContract } from './email-queue.contract.js';

const redis = await redisTargets();
afterAll(() => redis.stop());

const filePrefix = `tw-mail-${randomBytes(4).toString('hex')}`;
let opened = 0;

for (const target of redis.targets) {
  describeEmailQueueContract(
    target.cluster ? 'Redis mailer store on a Redis Cluster' : 'Redis mailer store',
    async (clock) => {
      const prefix = `${filePrefix}-${++opened}`;
      const { mine, peer, close } = await storePair(target, prefix, () => RedisMailerStore.connect(target.url, { prefix, cluster: target.cluster, clock }));
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
        close,
      };
    },
    target.skip === undefined ? {} : { skip: target.skip },
  );
}
