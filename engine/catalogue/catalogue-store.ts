import type { CatalogueChange, CatalogueProduct, ProductUpdate, UpsertResult } from './product.js';

/**
 * The engine's product catalogue, per site: written by the feed (HTTP API, file import), read
 * by templates and by the fan-out. Upserts detect changes (price drop, back in stock, out of
 * stock) atomically per product, even with several engines writing to one store.
 */
export interface CatalogueStore {
  /**
   * Applies the rows in order (a row sets only the fields it carries) at time `now`. Throws
   * TW_CATALOGUE_INVALID, writing nothing, when a row names a new product without name or price.
   */
  upsert(site: string, updates: readonly ProductUpdate[], now: number): Promise<UpsertResult>;
  /**
   * The fan-outs (price_drop, back_in_stock) upserts detected and nobody has marked delivered
   * yet, in the order they were made. An upsert records them atomically with its write, so a
   * fan-out that fails afterwards is not lost: a resent feed sees the product unchanged.
   */
  pendingFanOuts(site: string): Promise<CatalogueChange[]>;
  /** Marks fan-outs delivered, by changeId: every event of theirs was processed. */
  fanOutDelivered(site: string, ids: readonly string[]): Promise<void>;
  product(site: string, id: string): Promise<CatalogueProduct | undefined>;
  /** Every product of the site, in no particular order. */
  list(site: string): Promise<CatalogueProduct[]>;
  close(): Promise<void>;
}
