import type { CatalogueStore } from '../catalogue-store.js';
import { mergeBatch } from '../product-merge.js';
import { changeId, fansOut, inOrderMade } from '../pending-fan-outs.js';
import type { CatalogueChange, CatalogueProduct, ProductUpdate, UpsertResult } from '../product.js';

/** The in-process catalogue, for a single engine; an upsert runs without a pause, hence atomically. */
export class MemoryCatalogueStore implements CatalogueStore {
  private readonly sites = new Map<string, Map<string, CatalogueProduct>>();
  private readonly pending = new Map<string, Map<string, CatalogueChange>>();

  async upsert(site: string, updates: readonly ProductUpdate[], now: number): Promise<UpsertResult> {
    const products = this.productsOf(site);
    const { result, writes } = mergeBatch(site, (id) => products.get(id), updates, now);
    for (const [id, product] of writes) products.set(id, product);
    const pending = this.pendingOf(site);
    for (const change of result.changes.filter(fansOut)) pending.set(changeId(change), change);
    return result;
  }

  async pendingFanOuts(site: string): Promise<CatalogueChange[]> {
    return inOrderMade([...(this.pending.get(site)?.values() ?? [])]);
  }

  async fanOutDelivered(site: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) this.pending.get(site)?.delete(id);
  }

  async product(site: string, id: string): Promise<CatalogueProduct | undefined> {
    return this.sites.get(site)?.get(id);
  }

  async list(site: string): Promise<CatalogueProduct[]> {
    return [...(this.sites.get(site)?.values() ?? [])];
  }

  async close(): Promise<void> {}

  private pendingOf(site: string): Map<string, CatalogueChange> {
    let pending = this.pending.get(site);
    if (pending === undefined) {
      pending = new Map();
      this.pending.set(site, pending);
    }
    return pending;
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
