/*
 * Ten webhooks to a receiver that accepts connections and never answers (a CRM down behind its
 * load balancer) take at most `webhooks.perReceiver` (5) of the engine's `webhooks.batch` (10)
 * slots for the 10 s request timeout: a webhook to a healthy receiver queued after them goes out
 * at once.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, test } from 'vitest';
import { composeWebhooks } from '../../engine/config/compose-webhooks.js';
import { parseConfig } from '../../engine/config/index.js';
import { systemClock } from '../../engine/events/index.js';
import { createLogger, createMetrics } from '../../engine/observability/index.js';
import { CollectingSink, type WebhookOrder } from '../../engine/pipeline/index.js';
import { until } from '../support/eventually.js';
import { webhookOrder } from '../support/webhook-jobs.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function receiver(answer: (response: ServerResponse) => void): Promise<{ url: string; received: string[]; server: Server }> {
  const received: string[] = [];
  const server = createServer((request, response) => {
    received.push(String(request.headers['x-tripwire-trigger']));
    request.resume();
    answer(response);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, server };
}

describe('a receiver that never answers', () => {
  test('holds at most five slots, and a healthy receiver gets its webhook at once', async () => {
    const silent = await receiver(() => undefined);
    const healthy = await receiver((response) => response.writeHead(200).end());
    const webhooks = await composeWebhooks(parseConfig({}), { clock: systemClock, logger: createLogger('silent'), sink: new CollectingSink(), metrics: createMetrics(new Registry(), false) });
    try {
      for (let i = 0; i < 10; i++) await webhooks.channel.enqueue(webhookOrder(`crm-${i}`, silent.url, { visitor: `crm-${i}` }));
      await webhooks.channel.enqueue(webhookOrder('slack-1', healthy.url, { visitor: 'slack-1' }));

      // 3 s: well within the 10 s the silent receiver holds each of its slots.
      await until(() => healthy.received.length > 0, 3000);

      expect(healthy.received).toEqual(['slack-1']);
      expect(silent.received.length).toBeLessThanOrEqual(5);
    } finally {
      // The silent receiver goes away: its webhooks fail fast and the in-process drain ends.
      silent.server.closeAllConnections();
      silent.server.close();
      await webhooks.close();
    }
  }, 30_000);
});
