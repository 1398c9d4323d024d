import type { WebhookJob } from '../../engine/channels/webhook/index.js';

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
