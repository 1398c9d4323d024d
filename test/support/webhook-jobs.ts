import type { WebhookJob } from '../../engine/channels/webhook/index.js';
import type { WebhookOrder } from '../../engine/pipeline/index.js';

/** A webhook job as the channel queues it, for `id`. */
export function webhookJob(id: string, attempt = 1): WebhookJob {
  return {
    id,
    attempt,
    enqueuedAt: Date.UTC(2025, 0, 31, 9, 0, 0),
    site: 'acme',
    visitor: `v-${id}`,
    scenario: 'vip-cart',
    url: 'https://crm.example/hooks/tripwire',
    body: JSON.stringify({ trigger: { id, scenario: 'vip-cart' }, visitor: { id: `v-${id}`, email: null }, variables: { list: 'vip' } }),
  };
}

/** What the pipeline hands the webhook channel for trigger `triggerId` of a cart scenario, to post to `url`. */
export function webhookOrder(triggerId: string, url: string, { visitor = 'ann', variables = {} }: { visitor?: string; variables?: Record<string, string> } = {}): WebhookOrder {
  return {
    triggerId,
    visitor: { site: 'shop', visitor },
    action: { channel: 'webhook', url, variables },
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
