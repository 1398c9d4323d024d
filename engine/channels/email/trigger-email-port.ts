import type { Clock } from '../../events/index.js';
import type { Logger } from '../../observability/index.js';
import type { EmailOrder, EmailPort, ProductCatalogue, SiteProfile } from '../../pipeline/index.js';
import type { EventSink } from '../../warehouse/index.js';
import type { EmailChannel } from './email-channel.js';
import type { EmailRequest } from './email-request.js';

export interface TriggerEmailPortDeps {
  channel: EmailChannel;
  sites: ReadonlyMap<string, { profile: SiteProfile }>;
  catalogue: ProductCatalogue | undefined;
  sink: EventSink;
  clock: Clock;
  logger: Logger;
}

/**
 * Connects the pipeline to the email channel: adds the site's sender identity, completes cart
 * lines from the catalogue (name, price, image and link come from the site's data, so a visitor
 * cannot set the price shown in their own email), sends in the background and records each
 * delivery state in the warehouse.
 */
export class TriggerEmailPort implements EmailPort {
  private readonly sending = new Set<Promise<void>>();

  constructor(private readonly deps: TriggerEmailPortDeps) {}

  async enqueue(order: EmailOrder): Promise<void> {
    const request = this.request(order);
    this.record(order, 'queued', order.to);
    const sending = this.deps.channel.send(request).then(
      (sent) => this.record(order, 'sent', sent.messageId),
      (error: Error) => {
        this.deps.logger.error({ err: error, trigger: order.triggerId }, 'email failed');
        this.record(order, 'failed', error.message);
      },
    );
    this.sending.add(sending);
    void sending.finally(() => this.sending.delete(sending));
  }

  /** Resolves when every email handed over so far has been sent or has failed. */
  async drain(): Promise<void> {
    while (this.sending.size > 0) await Promise.allSettled([...this.sending]);
  }

  private request(order: EmailOrder): EmailRequest {
    const site = this.deps.sites.get(order.visitor.site)!.profile;
    const origin = new URL(site.url).origin;
    const absolute = (path: string) => new URL(path, origin).toString();
    const cart = order.context.cart.map((line) => {
      const product = this.deps.catalogue?.product(line.id);
      if (product === undefined) return { ...line, image: '', url: '' };
      return { ...line, name: product.name, price: product.price, image: absolute(product.image), url: absolute(product.url) };
    });
    const cartTotal = Math.round(cart.reduce((sum, line) => sum + line.price * line.qty, 0) * 100) / 100;
    return {
      triggerId: order.triggerId,
      scenarioId: order.context.trigger.scenario,
      site: { key: site.key, name: site.name, from: site.from, publicUrl: site.url.replace(/\/$/, '') },
      to: order.to,
      template: order.action.template,
      ...(order.action.subject === undefined ? {} : { subject: order.action.subject }),
      context: { ...order.context, cart, cartTotal },
    };
  }

  private record(order: EmailOrder, status: string, detail: string): void {
    this.deps.sink.write('deliveries', {
      delivery_id: `${order.triggerId}:${status}`,
      trigger_id: order.triggerId,
      site: order.visitor.site,
      visitor_id: order.visitor.visitor,
      scenario_id: order.context.trigger.scenario,
      channel: 'email',
      status,
      detail,
      time: this.deps.clock.now(),
    });
  }
}
