import type { CatalogueStore } from '../catalogue-store.js';
import { mergeBatch } from '../product-merge.js';
import type { CatalogueProduct, ProductUpdate, UpsertResult } from '../product.js';

/** The in-process catalogue, for a single engine; an upsert runs without a pause, hence atomically. */
export class MemoryCatalogueStore implements CatalogueStore {
  private readonly sites = new Map<string, Map<string, CatalogueProduct>>();

  async upsert(site: string, updates: readonly ProductUpdate[], now: number): Promise<UpsertResult> {
    const products = this.productsOf(site);
    const { result, writes } = mergeBatch(site, (id) => products.get(id), updates, now);
    for (const [id, product] of writes) products.set(id, product);
    return result;
  }

  async product(site: string, id: string): Promise<CatalogueProduct | undefined> {
    return this.sites.get(site)?.get(id);
  }

  async list(site: string): Promise<CatalogueProduct[]> {
    return [...(this.sites.get(site)?.values() ?? [])];
  }

  async close(): Promise<void> {}

  private productsOf(site: string): Map<string, CatalogueProduct> {
    let products = this.sites.get(site);
    if (products === undefined) {
      products = new Map();
      this.sites.set(site, products);
    }
    return products;
  }
}
