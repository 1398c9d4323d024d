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

/** Well within the 10 s the silent receiver holds each of its slots. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('not within 3 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function order(triggerId: string, url: string): WebhookOrder {
  return {
    triggerId,
    visitor: { site: 'shop', visitor: triggerId },
    action: { channel: 'webhook', url, variables: {} },
    context: {
      trigger: { id: triggerId, scenario: 'vip-cart', variant: 'A', time: 0 },
      site: { key: 'shop', name: 'Shop', url: 'https://shop.example' },
      visitor: {},
      cart: [],
      cartTotal: 0,
      scenario: { id: 'vip-cart', name: 'VIP cart' },
      event: { id: 'e1', type: 'cart_add', time: 0, url: 'https://shop.example/p/1' },
      props: {},
    },
  };
}

describe('a receiver that never answers', () => {
  test('holds at most five slots, and a healthy receiver gets its webhook at once', async () => {
    const silent = await receiver(() => undefined);
    const healthy = await receiver((response) => response.writeHead(200).end());
    const webhooks = await composeWebhooks(parseConfig({}), { clock: systemClock, logger: createLogger('silent'), sink: new CollectingSink(), metrics: createMetrics(new Registry(), false) });
    try {
      for (let i = 0; i < 10; i++) await webhooks.channel.enqueue(order(`crm-${i}`, silent.url));
      await webhooks.channel.enqueue(order('slack-1', healthy.url));

      await until(() => healthy.received.length > 0);

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
