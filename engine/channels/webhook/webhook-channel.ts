import { createHmac } from 'node:crypto';
import type { Clock } from '../../events/index.js';
import type { Logger } from '../../observability/index.js';
import type { WebhookOrder, WebhookPort } from '../../pipeline/index.js';
import type { EventSink } from '../../warehouse/index.js';

export interface WebhookChannelDeps {
  /** Site key → secret: the receiver checks `X-Tripwire-Signature` with it. */
  secrets: ReadonlyMap<string, string>;
  sink: EventSink;
  clock: Clock;
  logger: Logger;
  /** Attempts per webhook, with doubling delays from `retryDelayMs`. */
  attempts?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
}

/**
 * Posts a trigger as JSON to another system (SMS gateway, CRM, Slack...), signed with the site's
 * secret: `X-Tripwire-Signature: sha256=<hex HMAC of the body>`. The trigger id travels in
 * `X-Tripwire-Trigger`, so a receiver drops the repeats a retry may cause.
 */
export class WebhookChannel implements WebhookPort {
  private readonly sending = new Set<Promise<void>>();

  constructor(private readonly deps: WebhookChannelDeps) {}

  async enqueue(order: WebhookOrder): Promise<void> {
    const body = JSON.stringify({
      trigger: order.context.trigger,
      site: order.context.site,
      visitor: { id: order.visitor.visitor, email: order.context.visitor.email ?? null },
      event: order.context.event,
      props: order.context.props,
      cart: order.context.cart,
      variables: order.action.variables,
    });
    const secret = this.deps.secrets.get(order.visitor.site) ?? '';
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    this.record(order, 'queued', order.action.url);
    const sending = this.post(order, body, signature);
    this.sending.add(sending);
    void sending.finally(() => this.sending.delete(sending));
  }

  async drain(): Promise<void> {
    while (this.sending.size > 0) await Promise.allSettled([...this.sending]);
  }

  private async post(order: WebhookOrder, body: string, signature: string): Promise<void> {
    const attempts = this.deps.attempts ?? 3;
    let delay = this.deps.retryDelayMs ?? 500;
    let lastError = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await fetch(order.action.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Tripwire-Signature': signature, 'X-Tripwire-Trigger': order.triggerId },
          body,
          signal: AbortSignal.timeout(this.deps.timeoutMs ?? 10_000),
        });
        if (response.ok) {
          this.record(order, 'sent', `HTTP ${response.status}`);
          return;
        }
        lastError = `HTTP ${response.status}`;
      } catch (error) {
        lastError = (error as Error).message;
      }
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
    this.deps.logger.error({ trigger: order.triggerId, url: order.action.url, error: lastError }, 'webhook failed');
    this.record(order, 'failed', lastError);
  }

  private record(order: WebhookOrder, status: string, detail: string): void {
    this.deps.sink.write('deliveries', {
      delivery_id: `${order.triggerId}:${status}`,
      trigger_id: order.triggerId,
      site: order.visitor.site,
      visitor_id: order.visitor.visitor,
      scenario_id: order.context.trigger.scenario,
      channel: 'webhook',
      status,
      detail,
      time: this.deps.clock.now(),
    });
  }
}
