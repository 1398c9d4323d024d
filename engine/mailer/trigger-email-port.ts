import { TripwireError } from '../errors.js';
import type { EmailRequest, EmailSite } from '../channels/email/index.js';
import type { Clock } from '../events/index.js';
import type { EmailOrder, EmailPort, ProductCatalogue } from '../pipeline/index.js';
import { DeliveryLog } from './delivery-log.js';
import type { EmailJob } from './email-job.js';
import type { EmailQueue } from './email-queue.js';

export interface TriggerEmailPortDeps {
  queue: EmailQueue;
  /** Sender identity per site key; the worker overrides it with its own at send time. */
  sites: ReadonlyMap<string, EmailSite>;
  catalogue: ProductCatalogue | undefined;
  log: DeliveryLog;
  clock: Clock;
  /** Called after each enqueue: an in-process worker starts at once instead of at its next poll. */
  onEnqueued?: () => void;
}

/**
 * Connects the pipeline to the mailer: turns an order into a job and enqueues it, so the
 * pipeline's `enqueue` resolves once the email is durably queued (on Redis) and the workers
 * take it from there. The template context is built here, from data the engine trusts: cart
 * lines and the product come from the site's catalogue (so a visitor cannot set the price
 * shown in their own email), the name from the identify traits, the discount code from the
 * scenario.
 */
export class TriggerEmailPort implements EmailPort {
  constructor(private readonly deps: TriggerEmailPortDeps) {}

  async enqueue(order: EmailOrder): Promise<void> {
    const job: EmailJob = {
      id: order.triggerId,
      attempt: 1,
      enqueuedAt: this.deps.clock.now(),
      site: order.visitor.site,
      visitor: order.visitor.visitor,
      scenario: order.context.trigger.scenario,
      request: this.request(order),
    };
    await this.deps.queue.enqueue(job);
    this.deps.log.record({ trigger: job.id, site: job.site, visitor: job.visitor, scenario: job.scenario }, 'queued', order.to);
    this.deps.onEnqueued?.();
  }

  private request(order: EmailOrder): EmailRequest {
    const site = this.deps.sites.get(order.visitor.site);
    if (site === undefined) {
      throw new TripwireError('TW_UNKNOWN_SITE', `trigger ${order.triggerId}: site "${order.visitor.site}" has no sender identity configured`);
    }
    const origin = new URL(site.publicUrl).origin;
    const absolute = (path: string) => new URL(path, origin).toString();
    const cart = order.context.cart.map((line) => {
      const product = this.deps.catalogue?.product(line.id, order.visitor.site);
      if (product === undefined) return { ...line, image: '', url: '' };
      return { ...line, name: product.name, price: product.price, image: absolute(product.image), url: absolute(product.url) };
    });
    const cartTotal = Math.round(cart.reduce((sum, line) => sum + line.price * line.qty, 0) * 100) / 100;
    const props = order.context.props;
    const productId = typeof props.id === 'string' ? props.id : undefined;
    const known = productId === undefined ? undefined : this.deps.catalogue?.product(productId, order.visitor.site);
    const product =
      known === undefined || productId === undefined
        ? undefined
        : { id: productId, name: known.name, price: known.price, image: absolute(known.image), url: absolute(known.url) };
    const discountCode = discountCodeOf(order);
    return {
      triggerId: order.triggerId,
      scenarioId: order.context.trigger.scenario,
      site: { key: site.key, name: site.name, from: site.from, publicUrl: site.publicUrl },
      visitor: order.visitor.visitor,
      to: order.to,
      transactional: order.transactional,
      template: order.action.template,
      ...(order.action.subject === undefined ? {} : { subject: order.action.subject }),
      context: {
        ...order.context,
        visitor: visitorOf(order.context.visitor),
        cart,
        cartTotal,
        variables: order.action.variables ?? {},
        ...(product === undefined ? {} : { product }),
        ...(discountCode === undefined ? {} : { discountCode }),
      },
    };
  }
}

/** Profile fields as templates read them: `trait.name` is `visitor.name`; consent flags stay out. */
function visitorOf(profile: Record<string, string>): Record<string, string> {
  const visitor: Record<string, string> = {};
  for (const [field, value] of Object.entries(profile)) {
    if (field.startsWith('trait.')) visitor[field.slice('trait.'.length)] = value;
    else if (!field.startsWith('consent.')) visitor[field] = value;
  }
  return visitor;
}

/**
 * The scenario's `code:` (or `variables.code`) when its email action carries one, else the code
 * the triggering event carried. Read loosely: the scenario language is growing these fields.
 */
function discountCodeOf(order: EmailOrder): string | undefined {
  const action = order.action as { code?: unknown; variables?: Record<string, unknown> | undefined };
  const code = action.code ?? action.variables?.code ?? order.context.props.code;
  return typeof code === 'string' && code !== '' ? code : undefined;
}
