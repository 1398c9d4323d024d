import type { CatalogueProduct, ProductUpdate, UpsertResult } from './product.js';

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
  product(site: string, id: string): Promise<CatalogueProduct | undefined>;
  /** Every product of the site, in no particular order. */
  list(site: string): Promise<CatalogueProduct[]>;
  close(): Promise<void>;
}
