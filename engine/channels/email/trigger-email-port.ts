import type { EmailOrder, EmailPort, ProductCatalogue, SiteProfile } from '../../pipeline/index.js';
import type { EmailChannel } from './email-channel.js';
import type { SentEmail } from './email-transport.js';

/**
 * Connects the pipeline to the email channel: adds the site's sender identity and completes
 * cart lines from the catalogue (name, price, image and link come from the site's data, so a
 * visitor cannot set the price shown in their own email).
 */
export class TriggerEmailPort implements EmailPort {
  constructor(
    private readonly channel: EmailChannel,
    private readonly sites: ReadonlyMap<string, { profile: SiteProfile }>,
    private readonly catalogue: ProductCatalogue | undefined,
  ) {}

  send(order: EmailOrder): Promise<SentEmail> {
    const site = this.sites.get(order.visitor.site)!.profile;
    const origin = new URL(site.url).origin;
    const absolute = (path: string) => new URL(path, origin).toString();
    const cart = order.context.cart.map((line) => {
      const product = this.catalogue?.product(line.id);
      if (product === undefined) return { ...line, image: '', url: '' };
      return { ...line, name: product.name, price: product.price, image: absolute(product.image), url: absolute(product.url) };
    });
    const cartTotal = Math.round(cart.reduce((sum, line) => sum + line.price * line.qty, 0) * 100) / 100;
    return this.channel.send({
      triggerId: order.triggerId,
      scenarioId: order.context.trigger.scenario,
      site: { key: site.key, name: site.name, from: site.from, publicUrl: site.url.replace(/\/$/, '') },
      to: order.to,
      template: order.action.template,
      ...(order.action.subject === undefined ? {} : { subject: order.action.subject }),
      context: { ...order.context, cart, cartTotal },
    });
  }
}
