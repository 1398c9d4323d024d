/*
 * The mailer's Redis connection reports what happens to it between commands, so that a Redis
 * that goes away is logged while the client reconnects, not ignored. The outage is a
 * redis-server of the test's own, stopped and started again on its port.
 */
import { describe, expect, test } from 'vitest';
import { spawnRedis, type RedisForTests } from '../../../test/support/redis-server.js';
import { RedisMailerStore } from './redis-mailer-store.js';
import { until } from '../../../test/support/eventually.js';

describe('RedisMailerStore on a Redis that goes away', () => {
  test('reports the lost connection to onError, and works again once Redis is back', async () => {
    const errors: Error[] = [];
    let redis: RedisForTests = await spawnRedis();
    const port = Number(new URL(redis.url).port);
    const store = await RedisMailerStore.connect(redis.url, { prefix: 'tw-mailer-outage', onError: (error) => errors.push(error) });
    try {
      await redis.stop();
      await until(() => errors.length > 0, 10_000, 'an error reported');
      redis = await spawnRedis(port);
      await until(() => store.queue.depth().then(() => true, () => false), 10_000, 'the queue to answer again');
      expect(errors[0]).toBeInstanceOf(Error);
    } finally {
      await store.close();
      await redis.stop();
    }
  }, 30_000);
});
