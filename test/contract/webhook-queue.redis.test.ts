import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { redisWebhookQueue } from '../../engine/channels/webhook/redis/index.js';
import { ManualClock } from '../../engine/events/index.js';
import { RedisMailerStore } from '../../engine/mailer/redis/index.js';
import { connectRedis } from '../../engine/redis/index.js';
import { job as emailJob } from './email-queue.contract.js';
import { redisTargets, storePair } from '../support/redis-targets.js';
import { webhookJob } from '../support/webhook-jobs.js';
import { describeJobQueueContract } from './job-queue.contract.js';

const redis = await redisTargets();
afterAll(() => redis.stop());

const filePrefix = `tw-hook-${randomBytes(4).toString('hex')}`;
let opened = 0;

for (const target of redis.targets) {
  const name = target.cluster ? 'Redis webhook queue on a Redis Cluster' : 'Redis webhook queue';
  describeJobQueueContract(
    name,
    'webhook jobs',
    webhookJob,
    async (clock) => {
      const prefix = `${filePrefix}-${++opened}`;
      const connect = async () => {
        const client = await connectRedis(target.url, { purpose: 'The test', cluster: target.cluster });
        return { queue: redisWebhookQueue(client, prefix, clock), close: () => client.close() };
      };
      const { mine, peer, close } = await storePair(target, prefix, connect);
      return {
        queue: mine.queue,
        peer: peer.queue,
        // Idle times run on the Redis server's clock: only real time moves them.
        passTime: async (ms) => {
          clock.advance(ms);
          await delay(ms);
        },
        close,
      };
    },
    target.skip === undefined ? {} : { skip: target.skip },
  );

  describe.skipIf(target.skip !== undefined)(`${name}, after Redis lost the queue's keys`, () => {
    // What a Redis restarted without persistence, a failover or FLUSHALL leaves: none of the queue's keys.
    it('hands out a webhook enqueued afterwards', async () => {
      const prefix = `${filePrefix}-${++opened}`;
      const client = await connectRedis(target.url, { purpose: 'The test', cluster: target.cluster });
      try {
        const queue = redisWebhookQueue(client, prefix);
        await queue.enqueue(webhookJob('before'));
        const [before] = await queue.claim('w1', { max: 10 });
        await queue.ack(before!);

        await target.removeKeys(prefix);
        await queue.enqueue(webhookJob('after'));

        expect((await queue.claim('w1', { max: 10 })).map((claimed) => claimed.job.id)).toEqual(['after']);
        expect(await queue.depth()).toMatchObject({ ready: 0, held: 1 });
      } finally {
        await client.close();
        await target.removeKeys(prefix);
      }
    });
  });

  describe.skipIf(target.skip !== undefined)(`${name}, with dead letters an older engine stored`, () => {
    // Engines before dead-letter retention wrote the hash only: a trim goes by the time in each letter.
    it('trims them by the time each holds', async () => {
      const prefix = `${filePrefix}-${++opened}`;
      const client = await connectRedis(target.url, { purpose: 'The test', cluster: target.cluster });
      try {
        const queue = redisWebhookQueue(client, prefix);
        const dead = target.cluster ? `${prefix}:{webhook}:dead` : `${prefix}:webhook:dead`;
        const start = Date.UTC(2025, 0, 1);
        await client.hSet(dead, 'old', JSON.stringify({ job: webhookJob('old'), error: '410 Gone', at: start }));
        await client.hSet(dead, 'young', JSON.stringify({ job: webhookJob('young'), error: '410 Gone', at: start + 7_200_000 }));

        expect(await queue.trimDeadLetters(start + 3_600_000, 10)).toBe(1);
        expect((await queue.deadLetters()).map((letter) => letter.job.id)).toEqual(['young']);
        expect(await queue.depth()).toMatchObject({ dead: 1 });
      } finally {
        await client.close();
        await target.removeKeys(prefix);
      }
    });
  });

  describe.skipIf(target.skip !== undefined)(`${name}, once its connection is gone`, () => {
    it('reports each failed command as TW_STORE_UNAVAILABLE, naming the queue and what it was doing', async () => {
      const prefix = `${filePrefix}-${++opened}`;
      const client = await connectRedis(target.url, { purpose: 'The test', cluster: target.cluster });
      const queue = redisWebhookQueue(client, prefix);
      await queue.enqueue(webhookJob('a'));
      await client.close();

      await expect(queue.enqueue(webhookJob('b'))).rejects.toMatchObject({
        code: 'TW_STORE_UNAVAILABLE',
        message: expect.stringMatching(/^the job queue tw-hook-\S+webhook\}?:jobs could not enqueue a job: \S/),
      });
      await expect(queue.claim('w1', { max: 1 })).rejects.toMatchObject({ code: 'TW_STORE_UNAVAILABLE', message: expect.stringContaining('could not hand out jobs: ') });
      await target.removeKeys(prefix);
    });
  });

  describe.skipIf(target.skip !== undefined)(`${name}, beside the mail queue of the same prefix`, () => {
    it('shares no jobs with it', async () => {
      const prefix = `${filePrefix}-${++opened}`;
      const clock = new ManualClock(Date.now());
      const client = await connectRedis(target.url, { purpose: 'The test', cluster: target.cluster });
      const mailer = await RedisMailerStore.connect(target.url, { prefix, cluster: target.cluster, clock });
      try {
        const webhooks = redisWebhookQueue(client, prefix, clock);
        await webhooks.enqueue(webhookJob('h1'));
        await mailer.queue.enqueue(emailJob('m1'));

        const hooks = await webhooks.claim('w1', { max: 10 });
        const mails = await mailer.queue.claim('w1', { max: 10 });

        expect(hooks.map((claimed) => claimed.job)).toEqual([webhookJob('h1')]);
        expect(mails.map((claimed) => claimed.job.id)).toEqual(['m1']);
      } finally {
        await Promise.all([client.close(), mailer.close()]);
        await target.removeKeys(prefix);
      }
    });
  });
}
