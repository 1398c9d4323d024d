import { TripwireError } from '../../errors.js';
import type { CatalogueProduct } from '../product.js';

/** A stored product and its version: every write bumps `v`, so a writer can tell it read the latest. */
export interface VersionedProduct {
  product: CatalogueProduct;
  version: string;
}

export function encodeProduct(product: CatalogueProduct, version: number): string[] {
  return [
    'id', product.id,
    'name', product.name,
    'price', String(product.price),
    'category', product.category,
    'stock', product.stock,
    'url', product.url,
    'image', product.image,
    'stock_since', String(product.stockSince),
    'updated_at', String(product.updatedAt),
    'v', String(version),
  ];
}

export function decodeProduct(key: string, fields: Record<string, string>): VersionedProduct | undefined {
  if (fields.id === undefined) return undefined;
  const stock = fields.stock;
  const price = Number(fields.price);
  if ((stock !== 'in_stock' && stock !== 'out_of_stock') || !Number.isFinite(price)) {
    throw new TripwireError('TW_STORE_UNAVAILABLE', `The catalogue hash ${key} in Redis is malformed (stock "${stock}", price "${fields.price}"); was it written by something else?`);
  }
  return {
    product: {
      id: fields.id,
      name: fields.name ?? '',
      price,
      category: fields.category ?? '',
      stock,
      url: fields.url ?? '',
      image: fields.image ?? '',
      stockSince: Number(fields.stock_since ?? 0),
      updatedAt: Number(fields.updated_at ?? 0),
    },
    version: fields.v ?? '0',
  };
}
