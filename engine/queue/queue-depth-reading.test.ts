import { afterAll, describe, expect, it } from 'vitest';
import { redisForTests, spawnRedis } from '../../test/support/redis-server.js';
import { connectRedis } from '../redis/index.js';
import { RedisJobQueue } from './redis/index.js';
import { MemoryJobQueue, readQueueDepths, type QueuedJob } from './index.js';

// A server of this file's own, never a shared REDIS_URL: a test pauses every client of it.
const shared = process.env.REDIS_URL !== undefined && process.env.REDIS_URL !== '';
const available = shared ? await spawnRedis() : await redisForTests();
const redis = 'url' in available ? available : undefined;
afterAll(() => redis?.stop());

const job = (id: string): QueuedJob => ({ id, attempt: 1 });

describe('readQueueDepths', () => {
  it('counts each queue by state', async () => {
    const mail = new MemoryJobQueue<QueuedJob>();
    await mail.enqueue(job('a'));
    await mail.enqueue(job('b'));
    const [held] = await mail.claim('w1', { max: 1 });
    await mail.deadLetter(held!, 'refused');

    expect(await readQueueDepths({ mail, webhook: new MemoryJobQueue<QueuedJob>() }, 1000)).toEqual({
      mail: { state: 'ok', ready: 1, held: 0, delayed: 0, dead: 1 },
      webhook: { state: 'ok', ready: 0, held: 0, delayed: 0, dead: 0 },
    });
  });

  it.skipIf(redis === undefined)('shows a queue whose Redis does not answer in time as unknown, on time, and still counts the others', async () => {
    const client = await connectRedis(redis!.url, { purpose: 'The test' });
    const admin = await connectRedis(redis!.url, { purpose: 'The test' });
    try {
      const webhook = new RedisJobQueue<QueuedJob>({ client, prefix: 'tw-depth', name: 'webhook', group: 'webhooks' });
      await webhook.enqueue(job('a'));
      await admin.send(undefined, ['CLIENT', 'PAUSE', '1000', 'ALL']);

      const started = performance.now();
      const readings = await readQueueDepths({ mail: new MemoryJobQueue<QueuedJob>(), webhook }, 300);

      expect(performance.now() - started).toBeLessThan(1000);
      expect(readings).toEqual({
        mail: { state: 'ok', ready: 0, held: 0, delayed: 0, dead: 0 },
        webhook: { state: 'unknown', reason: 'no answer within 300 ms' },
      });
    } finally {
      await Promise.all([client.close(), admin.close()]);
    }
  });

  it.skipIf(redis === undefined)('shows a queue whose Redis connection is gone as unknown, with why', async () => {
    const client = await connectRedis(redis!.url, { purpose: 'The test' });
    const webhook = new RedisJobQueue<QueuedJob>({ client, prefix: 'tw-depth-closed', name: 'webhook', group: 'webhooks' });
    await client.close();

    const readings = await readQueueDepths({ webhook }, 1000);

    expect(readings.webhook).toEqual({ state: 'unknown', reason: expect.stringMatching(/^the job queue tw-depth-closed:webhook:jobs could not count its jobs: \S/) });
  });
});
