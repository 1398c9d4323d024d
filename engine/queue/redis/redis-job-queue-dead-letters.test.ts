import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { webhookJob } from '../../../test/support/webhook-jobs.js';
import { redisForTests, spawnRedis } from '../../../test/support/redis-server.js';
import { ManualClock } from '../../events/index.js';
import { createLogger } from '../../observability/index.js';
import { connectRedis, type RedisConnection } from '../../redis/index.js';
import { QueueWorker, type QueuedJob } from '../index.js';
import { RedisJobQueue } from './index.js';

// A server of this file's own, never a shared REDIS_URL: a test measures how long Redis is held.
const shared = process.env.REDIS_URL !== undefined && process.env.REDIS_URL !== '';
const available = shared ? await spawnRedis() : await redisForTests();
const redis = 'url' in available ? available : undefined;
afterAll(() => redis?.stop());

const HOUR = 3_600_000;
const START = Date.UTC(2026, 0, 1);

describe.skipIf(redis === undefined)('Redis job queue dead letters beside an engine from before the dead-letter times', () => {
  let client: RedisConnection;
  let admin: ReturnType<typeof createClient>;
  let prefix: string;
  let clock: ManualClock;
  let queue: RedisJobQueue<QueuedJob>;

  beforeEach(async () => {
    client = await connectRedis(redis!.url, { purpose: 'The test' });
    admin = createClient({ url: redis!.url });
    await admin.connect();
    prefix = `tw-dl-${randomBytes(4).toString('hex')}`;
    clock = new ManualClock(START);
    queue = new RedisJobQueue<QueuedJob>({ client, prefix, name: 'webhook', group: 'webhooks', clock });
  });

  afterEach(async () => {
    await admin.flushAll();
    await Promise.all([client.close(), admin.close()]);
  });

  const dead = () => `${prefix}:webhook:dead`;
  const letterText = (id: string, at: number) => JSON.stringify({ job: webhookJob(id, 3), error: '410 Gone', at });

  /** What an older engine's dead-letter script did to the dead letters: the hash only. */
  const olderEngineDeadLetters = (id: string, at: number) => admin.hSet(dead(), id, letterText(id, at));
  /** What an older engine's replay script did to the dead letters: the hash only. */
  const olderEngineReplays = (id: string) => admin.hDel(dead(), id);

  async function deadLetter(id: string): Promise<void> {
    await queue.enqueue(webhookJob(id, 3));
    const [claimed] = await queue.claim('w1', { max: 1 });
    await queue.deadLetter(claimed!, '410 Gone');
  }

  it('never holds Redis for long on its first trim of many dead letters an older engine stored', async () => {
    for (let batch = 0; batch < 100; batch++) {
      const fields: Record<string, string> = {};
      for (let i = 0; i < 1000; i++) fields[`t${batch * 1000 + i}`] = letterText(`t${batch * 1000 + i}`, START + batch * 1000 + i);
      await admin.hSet(dead(), fields);
    }
    let longestPing = 0;
    let trimming = true;
    const pings = (async () => {
      while (trimming) {
        const sent = performance.now();
        await admin.ping();
        longestPing = Math.max(longestPing, performance.now() - sent);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    const removed = await queue.trimDeadLetters(START + 10, 1000);
    trimming = false;
    await pings;

    expect(removed).toBe(10);
    // The window store and the other queues share this Redis: /healthz gives its ping 2 s.
    expect(longestPing).toBeLessThan(250);
  });

  it('keeps a dead letter an older engine replayed and dead-lettered again until its new time is past', async () => {
    await deadLetter('a');
    await olderEngineReplays('a');
    await olderEngineDeadLetters('a', START + 2 * HOUR);

    expect(await queue.trimDeadLetters(START + HOUR, 10)).toBe(0);
    expect((await queue.deadLetters()).map((letter) => letter.job.id)).toEqual(['a']);
  });

  it('trims the dead letters an older engine stored after it replayed one of this engine', async () => {
    await deadLetter('a');
    await olderEngineReplays('a');
    await olderEngineDeadLetters('b', START);

    expect(await queue.trimDeadLetters(START + HOUR, 10)).toBe(1);
    expect(await queue.deadLetters()).toEqual([]);
  });

  it('sweeps the dead letters once between engines that trim within a minute of each other, not once each', async () => {
    await olderEngineDeadLetters('a', START + 2 * HOUR);
    const otherEngine = new RedisJobQueue<QueuedJob>({ client, prefix, name: 'webhook', group: 'webhooks', clock });

    expect(await queue.trimDeadLetters(START + HOUR, 10)).toBe(0);
    expect(await otherEngine.trimDeadLetters(START + 3 * HOUR, 10)).toBe(0);
    expect(await queue.depth()).toMatchObject({ dead: 1 });
    expect(await admin.pTTL(`${prefix}:webhook:dead-sweep`)).toBeGreaterThan(50_000);
  });

  it('keeps a dead letter whose time it cannot read, for an operator to discard', async () => {
    await admin.hSet(dead(), 'garbled', 'not json');

    expect(await queue.trimDeadLetters(START + HOUR, 10)).toBe(0);
    expect(await queue.depth()).toMatchObject({ dead: 1 });
  });

  it('claims no more jobs once stopped during a trim', async () => {
    // A trim that takes a while on Redis: it looks at every one of many dead letters, all younger than the retention.
    for (let batch = 0; batch < 50; batch++) {
      const fields: Record<string, string> = {};
      for (let i = 0; i < 1000; i++) fields[`t${batch * 1000 + i}`] = letterText(`t${batch * 1000 + i}`, START + 2 * HOUR);
      await admin.hSet(dead(), fields);
    }
    await queue.enqueue(webhookJob('waiting'));
    const handled: string[] = [];
    const worker = new QueueWorker(
      queue,
      async (claimed) => {
        handled.push(claimed.job.id);
        await queue.ack(claimed);
      },
      createLogger('silent'),
      { label: 'test', consumer: 'w1', reclaimAfterMs: HOUR, pollIntervalMs: 60_000, batch: 10, deadLetterRetentionMs: HOUR, clock },
    );
    clock.advance(2 * HOUR);

    worker.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await worker.stop();

    expect(handled).toEqual([]);
    expect(await queue.depth()).toMatchObject({ ready: 1, held: 0 });
  });
});
