import type { EmailRequest, EmailSite, Recommender } from '../channels/email/index.js';
import type { Logger } from '../observability/index.js';
import type { ProductCatalogue } from '../pipeline/index.js';
import type { EmailJob } from './email-job.js';

export interface PersonaliserDeps {
  /** Sender identity (and DKIM key) per site, from the worker's own config: keys never travel in jobs. */
  sites: ReadonlyMap<string, EmailSite>;
  recommender?: Recommender;
  catalogue?: ProductCatalogue;
  logger: Logger;
  /** Recommendations per email; default 3. */
  recommendations?: number;
}

/**
 * The last step before rendering, run by the worker at send time: the site's current sender
 * identity, and product recommendations from the warehouse (`recommendations` in templates:
 * id, name, price, image, url, reason), completed from the catalogue.
 */
export class Personaliser {
  constructor(private readonly deps: PersonaliserDeps) {}

  async personalise(job: EmailJob): Promise<EmailRequest> {
    const site = this.deps.sites.get(job.site) ?? job.request.site;
    const recommendations = await this.recommendations(job);
    return { ...job.request, site, context: { ...job.request.context, recommendations } };
  }

  private async recommendations(job: EmailJob): Promise<unknown[]> {
    const { recommender, catalogue } = this.deps;
    if (recommender === undefined || catalogue === undefined) return [];
    const origin = new URL(job.request.site.publicUrl).origin;
    try {
      const picks = await recommender.recommend({
        site: job.site,
        visitor: job.visitor,
        products: seedProducts(job.request.context),
        limit: this.deps.recommendations ?? 3,
      });
      return picks.flatMap((pick) => {
        const product = catalogue.product(pick.productId, job.site);
        if (product === undefined) return [];
        const absolute = (path: string) => new URL(path, origin).toString();
        return [{ id: pick.productId, name: product.name, price: product.price, image: absolute(product.image), url: absolute(product.url), reason: pick.reason }];
      });
    } catch (error) {
      // Recommendations are a garnish: the email goes out without them rather than not at all.
      this.deps.logger.warn({ err: error, trigger: job.id }, 'recommendations unavailable; sending without them');
      return [];
    }
  }
}

/** The product the email is about, then the cart's. */
function seedProducts(context: Record<string, unknown>): string[] {
  const seeds: string[] = [];
  const product = context.product as { id?: unknown } | undefined;
  if (typeof product?.id === 'string') seeds.push(product.id);
  const cart = Array.isArray(context.cart) ? (context.cart as Array<{ id?: unknown }>) : [];
  for (const line of cart) if (typeof line.id === 'string') seeds.push(line.id);
  return seeds;
}
