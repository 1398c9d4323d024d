import { TripwireError } from '../errors.js';
import type { CatalogueChange, CatalogueProduct, ProductUpdate, UpsertResult } from './product.js';

export interface MergedBatch {
  result: UpsertResult;
  /** The products to write, by id: created or changed ones only. */
  writes: Map<string, CatalogueProduct>;
}

/**
 * Applies feed rows, in order, over the stored products, and detects the changes visitors may
 * care about. Both stores run this one function (the Redis one under compare-and-set), so they
 * detect the same changes. Nothing is written when any row is invalid.
 */
export function mergeBatch(
  site: string,
  stored: (id: string) => CatalogueProduct | undefined,
  updates: readonly ProductUpdate[],
  now: number,
  /** Index of the first row in the whole request, for error messages. */
  firstIndex = 0,
): MergedBatch {
  // Rows already applied in this batch, over the stored products: a repeated id sees its earlier row.
  const current = new Map<string, CatalogueProduct | undefined>();
  const read = (id: string) => (current.has(id) ? current.get(id) : stored(id));
  const writes = new Map<string, CatalogueProduct>();
  const touched = new Map<string, CatalogueProduct>();
  const result: UpsertResult = { created: 0, updated: 0, unchanged: 0, changes: [], products: [] };
  updates.forEach((update, index) => {
    const existing = read(update.id);
    const product = existing === undefined ? created(update, now, firstIndex + index) : merged(existing, update, now);
    if (existing === undefined) result.created++;
    else if (sameProduct(existing, product)) {
      result.unchanged++;
      touched.set(update.id, existing);
      return;
    } else result.updated++;
    if (existing !== undefined) result.changes.push(...changesBetween(site, existing, product, now));
    current.set(update.id, product);
    writes.set(update.id, product);
    touched.set(update.id, product);
  });
  result.products = [...touched.values()];
  return { result, writes };
}

function created(update: ProductUpdate, now: number, index: number): CatalogueProduct {
  if (update.name === undefined || update.price === undefined) {
    throw new TripwireError(
      'TW_CATALOGUE_INVALID',
      `products[${index}] (id "${update.id}"): a product the catalogue does not have yet needs at least "name" and "price"`,
    );
  }
  return {
    id: update.id,
    name: update.name,
    price: update.price,
    category: update.category ?? '',
    stock: update.stock ?? 'in_stock',
    url: update.url ?? '',
    image: update.image ?? '',
    stockSince: now,
    updatedAt: now,
  };
}

function merged(existing: CatalogueProduct, update: ProductUpdate, now: number): CatalogueProduct {
  const stock = update.stock ?? existing.stock;
  return {
    id: existing.id,
    name: update.name ?? existing.name,
    price: update.price ?? existing.price,
    category: update.category ?? existing.category,
    stock,
    url: update.url ?? existing.url,
    image: update.image ?? existing.image,
    stockSince: stock === existing.stock ? existing.stockSince : now,
    updatedAt: now,
  };
}

function sameProduct(a: CatalogueProduct, b: CatalogueProduct): boolean {
  return (
    a.name === b.name &&
    a.price === b.price &&
    a.category === b.category &&
    a.stock === b.stock &&
    a.url === b.url &&
    a.image === b.image
  );
}

function changesBetween(site: string, before: CatalogueProduct, after: CatalogueProduct, now: number): CatalogueChange[] {
  const change = (kind: CatalogueChange['kind']): CatalogueChange => ({
    kind,
    site,
    product: after,
    oldPrice: before.price,
    previousStockSince: before.stockSince,
    at: now,
  });
  const changes: CatalogueChange[] = [];
  if (after.price < before.price) changes.push(change('price_drop'));
  if (before.stock === 'out_of_stock' && after.stock === 'in_stock') changes.push(change('back_in_stock'));
  if (before.stock === 'in_stock' && after.stock === 'out_of_stock') changes.push(change('out_of_stock'));
  return changes;
}
