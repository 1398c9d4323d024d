import type { ProductCatalogue } from '../pipeline/index.js';
import type { CatalogueStore } from './catalogue-store.js';
import type { CatalogueProduct } from './product.js';

/**
 * An in-process copy of the catalogue for readers that cannot wait on a store (the email
 * port's ProductCatalogue is synchronous): loaded at start, updated by this engine's feed
 * writes, and refreshed from the store on an interval so engines sharing Redis see each
 * other's writes.
 */
export class CatalogueMirror implements ProductCatalogue {
  private readonly sites = new Map<string, Map<string, CatalogueProduct>>();

  constructor(
    private readonly store: CatalogueStore,
    /** The site `product(id)` reads when the caller names none (the port has no site yet). */
    private readonly defaultSite: string,
  ) {}

  product(id: string, site: string = this.defaultSite): CatalogueProduct | undefined {
    return this.sites.get(site)?.get(id);
  }

  remember(site: string, products: readonly CatalogueProduct[]): void {
    const known = this.productsOf(site);
    for (const product of products) known.set(product.id, product);
  }

  /** Replaces the copy of each site with the store's. */
  async refresh(sites: readonly string[]): Promise<void> {
    const lists = await Promise.all(sites.map((site) => this.store.list(site)));
    sites.forEach((site, index) => this.sites.set(site, new Map(lists[index]!.map((product) => [product.id, product]))));
  }

  private productsOf(site: string): Map<string, CatalogueProduct> {
    let products = this.sites.get(site);
    if (products === undefined) {
      products = new Map();
      this.sites.set(site, products);
    }
    return products;
  }
}
