/*
 * A receiver slower than the worker's reclaimAfter gets a webhook once from one engine, with one
 * `sent` row: the worker does not take over the webhook it is itself still posting.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { composeWebhooks } from '../../engine/config/compose-webhooks.js';
import { parseConfig } from '../../engine/config/index.js';
import { systemClock } from '../../engine/events/index.js';
import { createLogger, createMetrics } from '../../engine/observability/index.js';
import { CollectingSink, type WebhookOrder } from '../../engine/pipeline/index.js';
import { redisTargets } from '../support/redis-targets.js';
import { webhookOrder } from '../support/webhook-jobs.js';

const redis = await redisTargets();
afterAll(() => redis.stop());

let server: Server;
let url: string;
let received: string[];

beforeEach(async () => {
  received = [];
  // A receiver that takes 2.5 s to answer: well inside the 10 s request timeout.
  server = createServer((request, response) => {
    received.push(String(request.headers['x-tripwire-trigger']));
    request.resume();
    setTimeout(() => response.writeHead(200).end(), 2500);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('webhooks.reclaimAfter below the time a receiver takes to answer', () => {
  for (const target of [undefined, ...redis.targets]) {
    const name = target === undefined ? 'in process' : target.name;
    test.skipIf(target?.skip !== undefined)(`one engine posts a webhook once, with one sent row (${name})`, async () => {
      const prefix = `tw-slow-receiver-${randomBytes(4).toString('hex')}`;
      const parsed = parseConfig({
        webhooks: { pollInterval: '100ms' },
        ...(target === undefined ? {} : { store: { redisUrl: target.url, redisCluster: target.cluster, prefix } }),
      });
      // The config refuses a reclaimAfter below the request timeout; set past it, the worker's own in-flight webhook is what is at stake.
      const config = { ...parsed, webhooks: { ...parsed.webhooks, reclaimAfter: 1000 } };
      const sink = new CollectingSink();
      const webhooks = await composeWebhooks(config, { clock: systemClock, logger: createLogger('silent'), sink, metrics: createMetrics(new Registry(), false) });
      try {
        await webhooks.channel.enqueue(webhookOrder('trg-slow', url));
        await delay(4500);
        expect(received).toEqual(['trg-slow']);
        expect(sink.rows.deliveries.map((row) => row.status)).toEqual(['queued', 'sent']);
      } finally {
        await webhooks.close();
        if (target !== undefined) await target.removeKeys(prefix);
      }
    }, 20_000);
  }
});
