import type { Clock } from '../../events/index.js';
import type { EngineMetrics, Logger } from '../../observability/index.js';
import type { WebhookOrder, WebhookPort } from '../../pipeline/index.js';
import type { EventSink } from '../../warehouse/index.js';
import { webhookOutcome, type WebhookOutcome } from './webhook-answer.js';
import { WEBHOOK_SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';

export interface WebhookChannelDeps {
  /** Site key → secret: the receiver checks `Tripwire-Signature` with it. */
  secrets: ReadonlyMap<string, string>;
  sink: EventSink;
  clock: Clock;
  logger: Logger;
  metrics: Pick<EngineMetrics, 'deliveries'>;
  /** Attempts per webhook, with doubling delays from `retryDelayMs`. */
  attempts?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
  /**
   * The longest a retry waits, Retry-After included: retries are held in memory and a shutdown
   * waits for them, so a receiver asking for more is dead-lettered instead. Default 60 s.
   */
  maxRetryDelayMs?: number;
}

/** One attempt's outcome and what the warehouse row says about it. */
interface Attempt {
  outcome: WebhookOutcome;
  detail: string;
}

/**
 * Posts a trigger as JSON to another system (SMS gateway, CRM, Slack...), signed with the site's
 * secret over the time and the body: `Tripwire-Signature: t=<unix>,v1=<hex>` (webhook-signature.ts).
 * The trigger id travels in `X-Tripwire-Trigger`, so a receiver drops the repeats a retry may
 * cause. Only what may pass is retried (transport errors, 408, 429, 5xx); a receiver refusing
 * the request (another 4xx) gets it once, and the delivery is dead-lettered: row `dead`, an
 * error log, `tripwire_deliveries_total{channel="webhook",status="dead"}`.
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
    this.record(order, 'queued', order.action.url);
    const sending = this.post(order, body);
    this.sending.add(sending);
    void sending.finally(() => this.sending.delete(sending));
  }

  async drain(): Promise<void> {
    while (this.sending.size > 0) await Promise.allSettled([...this.sending]);
  }

  private async post(order: WebhookOrder, body: string): Promise<void> {
    const attempts = this.deps.attempts ?? 3;
    const maxDelay = this.deps.maxRetryDelayMs ?? 60_000;
    let delay = this.deps.retryDelayMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      const { outcome, detail } = await this.attempt(order, body);
      if (outcome.kind === 'sent') {
        this.record(order, 'sent', detail);
        return;
      }
      if (outcome.kind === 'permanent') return this.deadLetter(order, `${detail}: the receiver refused the request, which is not retried`);
      if (attempt >= attempts) return this.deadLetter(order, `${detail} after ${attempt} attempts`);
      const wait = Math.max(delay, outcome.afterMs ?? 0);
      if (wait > maxDelay) return this.deadLetter(order, `${detail}: Retry-After ${Math.ceil(wait / 1000)} s is longer than the ${Math.ceil(maxDelay / 1000)} s a webhook retry waits`);
      this.record(order, 'retried', `${detail}; next try in ${wait} ms`, attempt);
      await new Promise((resolve) => setTimeout(resolve, wait));
      delay *= 2;
    }
  }

  private async attempt(order: WebhookOrder, body: string): Promise<Attempt> {
    const secret = this.deps.secrets.get(order.visitor.site) ?? '';
    const signature = signWebhook(secret, Math.floor(this.deps.clock.now() / 1000), body);
    try {
      const response = await fetch(order.action.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: signature, 'X-Tripwire-Trigger': order.triggerId },
        body,
        signal: AbortSignal.timeout(this.deps.timeoutMs ?? 10_000),
      });
      // The answer's body is not read: releasing it frees the connection for the next delivery.
      await response.body?.cancel();
      return { outcome: webhookOutcome(response.status, response.headers.get('retry-after'), this.deps.clock.now()), detail: `HTTP ${response.status}` };
    } catch (error) {
      const cause = (error as Error).cause;
      return { outcome: { kind: 'retry' }, detail: cause instanceof Error ? cause.message : (error as Error).message };
    }
  }

  private deadLetter(order: WebhookOrder, detail: string): void {
    this.deps.logger.error({ trigger: order.triggerId, scenario: order.context.trigger.scenario, url: order.action.url, detail }, 'webhook dead-lettered');
    this.record(order, 'dead', detail);
  }

  /** `occurrence` tells the repeated rows of one state apart (a retry's attempt number). */
  private record(order: WebhookOrder, status: string, detail: string, occurrence?: number): void {
    this.deps.metrics.deliveries.inc({ channel: 'webhook', status });
    this.deps.sink.write('deliveries', {
      delivery_id: occurrence === undefined ? `${order.triggerId}:${status}` : `${order.triggerId}:${status}:${occurrence}`,
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
