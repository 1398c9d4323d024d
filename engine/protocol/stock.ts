/**
 * The one representation of a product's stock, in events and in the catalogue alike: scenarios
 * test `stock: out_of_stock` whatever the page or the feed said.
 */
export const STOCK_STATUSES = ['in_stock', 'out_of_stock'] as const;

export type StockStatus = (typeof STOCK_STATUSES)[number];

/**
 * A status as is, a quantity (0 or less is out of stock: a shop taking backorders counts below
 * zero), or true/false for "available"; undefined for anything else.
 */
export function stockStatus(value: unknown): StockStatus | undefined {
  if (value === 'in_stock' || value === 'out_of_stock') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value > 0 ? 'in_stock' : 'out_of_stock';
  if (typeof value === 'boolean') return value ? 'in_stock' : 'out_of_stock';
  return undefined;
}
