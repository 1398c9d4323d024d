import type { Clock } from '../../events/index.js';
import type { WebhookOrder, WebhookPort } from '../../pipeline/index.js';
import type { WebhookDeliveryLog } from './webhook-delivery-log.js';
import type { WebhookJob, WebhookQueue } from './webhook-job.js';

export interface WebhookChannelDeps {
  queue: WebhookQueue;
  log: WebhookDeliveryLog;
  clock: Clock;
  /** Called after each enqueue: an in-process worker starts at once instead of at its next poll. */
  onEnqueued?: () => void;
}

/**
 * Connects the pipeline to the webhook workers (webhook-worker.ts): turns an order into the JSON
 * delivery and enqueues it, so the pipeline's `enqueue` resolves once the webhook is queued
 * (durably, on Redis) and row `queued` is written. The workers post it, retry it and
 * dead-letter it from there, whichever engine they run in.
 */
export class WebhookChannel implements WebhookPort {
  constructor(private readonly deps: WebhookChannelDeps) {}

  async enqueue(order: WebhookOrder): Promise<void> {
    const job: WebhookJob = {
      id: order.triggerId,
      attempt: 1,
      enqueuedAt: this.deps.clock.now(),
      site: order.visitor.site,
      visitor: order.visitor.visitor,
      scenario: order.context.trigger.scenario,
      url: order.action.url,
      body: JSON.stringify({
        trigger: order.context.trigger,
        site: order.context.site,
        visitor: { id: order.visitor.visitor, email: order.context.visitor.email ?? null },
        event: order.context.event,
        props: order.context.props,
        cart: order.context.cart,
        variables: order.action.variables,
      }),
    };
    await this.deps.queue.enqueue(job);
    this.deps.log.record(job, 'queued', job.url);
    this.deps.onEnqueued?.();
  }
}
