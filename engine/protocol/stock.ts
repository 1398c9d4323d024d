/**
 * The one representation of a product's stock, in events and in the catalogue alike: scenarios
 * test `stock: out_of_stock` whatever the page or the feed said.
 */
export const STOCK_STATUSES = ['in_stock', 'out_of_stock'] as const;

export type StockStatus = (typeof STOCK_STATUSES)[number];

/**
 * schema.org's ItemAvailability names, bare or as the URL pages copy from their JSON-LD
 * (`https://schema.org/InStock`); the tracker's JSON-LD capture reads them the same way.
 * PreOrder, BackOrder and the like say nothing certain about today's stock: not listed.
 */
const SCHEMA_ORG_AVAILABILITY: Readonly<Record<string, StockStatus>> = {
  InStock: 'in_stock',
  LimitedAvailability: 'in_stock',
  OnlineOnly: 'in_stock',
  InStoreOnly: 'in_stock',
  OutOfStock: 'out_of_stock',
  SoldOut: 'out_of_stock',
  Discontinued: 'out_of_stock',
};

/**
 * A status as is, a schema.org availability, a quantity (0 or less is out of stock: a shop taking
 * backorders counts below zero), or true/false for "available"; undefined for anything else.
 */
export function stockStatus(value: unknown): StockStatus | undefined {
  if (value === 'in_stock' || value === 'out_of_stock') return value;
  if (typeof value === 'string') return Object.hasOwn(SCHEMA_ORG_AVAILABILITY, availabilityName(value)) ? SCHEMA_ORG_AVAILABILITY[availabilityName(value)] : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value > 0 ? 'in_stock' : 'out_of_stock';
  if (typeof value === 'boolean') return value ? 'in_stock' : 'out_of_stock';
  return undefined;
}

function availabilityName(value: string): string {
  return value.replace(/^https?:\/\/schema\.org\//, '');
}
