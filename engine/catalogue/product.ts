import type { StockStatus } from '../protocol/index.js';

export type { StockStatus };

/** A product as the engine knows it from the site's feed: the only product data templates trust. */
export interface CatalogueProduct {
  id: string;
  name: string;
  price: number;
  category: string;
  stock: StockStatus;
  /** Absolute, or relative to the site's URL. */
  url: string;
  image: string;
  /** When the current stock status began (engine time): a back-in-stock fan-out reaches the views made since. */
  stockSince: number;
  updatedAt: number;
}

/** One feed row: the id, and the fields it sets. A new product needs at least a name and a price. */
export interface ProductUpdate {
  id: string;
  name?: string;
  price?: number;
  category?: string;
  stock?: StockStatus;
  url?: string;
  image?: string;
}

export type CatalogueChangeKind = 'price_drop' | 'back_in_stock' | 'out_of_stock';

/** What an upsert changed that visitors may care about. */
export interface CatalogueChange {
  kind: CatalogueChangeKind;
  site: string;
  /** The product after the change. */
  product: CatalogueProduct;
  oldPrice: number;
  /** When the stock status before this change began: for back_in_stock, since when it was out of stock. */
  previousStockSince: number;
  at: number;
}

export interface UpsertResult {
  created: number;
  updated: number;
  /** Rows that changed nothing (a feed resent as is): not rewritten. */
  unchanged: number;
  changes: CatalogueChange[];
  /** The products the rows touched, as stored now. */
  products: CatalogueProduct[];
}
