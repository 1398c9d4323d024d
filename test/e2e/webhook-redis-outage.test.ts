/*
 * The webhook queue's Redis connection reports what happens to it between commands: a Redis
 * that goes away is logged as a warning while the client reconnects, not ignored, and the queue
 * works again once Redis is back. The outage is a redis-server of the test's own, stopped and
 * started again on its port.
 */
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { composeWebhooks } from '../../engine/config/compose-webhooks.js';
import { parseConfig } from '../../engine/config/index.js';
import { systemClock } from '../../engine/events/index.js';
import { createLogger, createMetrics } from '../../engine/observability/index.js';
import { CollectingSink } from '../../engine/pipeline/index.js';
import { spawnRedis, type RedisForTests } from '../support/redis-server.js';
import { until } from '../support/eventually.js';

describe('the webhook queue on a Redis that goes away', () => {
  test('logs the lost connection as a warning, and works again once Redis is back', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logs = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
        done();
      },
    });
    let redis: RedisForTests = await spawnRedis();
    const port = Number(new URL(redis.url).port);
    const webhooks = await composeWebhooks(parseConfig({ store: { redisUrl: redis.url, prefix: 'tw-outage' } }), {
      clock: systemClock,
      logger: createLogger('warn', logs),
      sink: new CollectingSink(),
      metrics: createMetrics(new Registry(), false),
    });
    try {
      await redis.stop();
      await until(() => lines.some((line) => line.msg === 'webhook queue Redis connection error; reconnecting'), 10_000, 'the warning');

      redis = await spawnRedis(port);
      await until(() => webhooks.queue.depth().then(() => true, () => false), 10_000, 'the queue to answer again');

      expect(lines.find((line) => line.msg === 'webhook queue Redis connection error; reconnecting')?.level).toBe(40);
    } finally {
      await webhooks.close();
      await redis.stop();
    }
  }, 30_000);
});
