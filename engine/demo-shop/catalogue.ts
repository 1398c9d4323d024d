import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { TripwireError } from '../errors.js';
import { STOCK_STATUSES, type StockStatus } from '../protocol/index.js';

export type { StockStatus };

export interface Category {
  id: string;
  name: string;
  blurb: string;
}

export interface Product {
  id: string;
  name: string;
  /** Price in EUR. */
  price: number;
  /** Id of the product's category. */
  category: string;
  description: string;
  stock: StockStatus;
  /** Tile colour of the product's generated image, `#rrggbb`. */
  color: string;
  featured: boolean;
  /** Site-relative URL of the product page. */
  url: string;
  /** Site-relative URL of the product image. */
  image: string;
}

/** A shop's products and categories, looked up by id; the engine reads price, stock, name, image and url from it. */
export interface Catalogue {
  readonly products: readonly Product[];
  readonly categories: readonly Category[];
  product(id: string): Product | undefined;
  category(id: string): Category | undefined;
  productsIn(categoryId: string): readonly Product[];
}

/** Ids end up in URLs (/shop/p/<id>), so they stay URL-safe without encoding. */
const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be 1-64 characters of a-z, 0-9 and -, starting with a letter or digit');

const categorySchema = z.strictObject({
  id,
  name: z.string().min(1),
  blurb: z.string(),
});

const productSchema = z.strictObject({
  id,
  name: z.string().min(1),
  price: z.number().nonnegative().multipleOf(0.01),
  category: id,
  description: z.string(),
  stock: z.enum(STOCK_STATUSES),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #c8553d'),
  featured: z.boolean().default(false),
  url: z.string().min(1).optional(),
  image: z.string().min(1).optional(),
});

const catalogueSchema = z
  .strictObject({
    categories: z.array(categorySchema).min(1),
    products: z.array(productSchema).min(1),
  })
  .superRefine((value, ctx) => {
    const categoryIds = new Set<string>();
    value.categories.forEach((category, index) => {
      if (categoryIds.has(category.id)) {
        ctx.addIssue({ code: 'custom', path: ['categories', index, 'id'], message: `duplicate category id "${category.id}"` });
      }
      categoryIds.add(category.id);
    });
    const productIds = new Set<string>();
    value.products.forEach((product, index) => {
      if (productIds.has(product.id)) {
        ctx.addIssue({ code: 'custom', path: ['products', index, 'id'], message: `duplicate product id "${product.id}"` });
      }
      productIds.add(product.id);
      if (!categoryIds.has(product.category)) {
        ctx.addIssue({ code: 'custom', path: ['products', index, 'category'], message: `no category has the id "${product.category}"` });
      }
    });
  });

export interface CatalogueOptions {
  /** Prefix of the derived product URLs and image URLs; '/shop' unless the shop is mounted elsewhere. */
  basePath?: string;
}

/** Reads and validates a catalogue file; any problem is a TW_CONFIG_INVALID naming the file and the field. */
export async function loadCatalogue(path: string, options: CatalogueOptions = {}): Promise<Catalogue> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new TripwireError('TW_CONFIG_INVALID', `${path}: cannot read the catalogue file (${(cause as Error).message})`, { cause });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new TripwireError('TW_CONFIG_INVALID', `${path}: not valid JSON (${(cause as Error).message})`, { cause });
  }
  return parseCatalogue(data, path, options);
}

/** Validates catalogue data already in memory; `source` names it in error messages. */
export function parseCatalogue(data: unknown, source: string, options: CatalogueOptions = {}): Catalogue {
  const parsed = catalogueSchema.safeParse(data);
  if (!parsed.success) {
    const what = parsed.error.issues.map((issue) => `${fieldPath(issue.path)}: ${issue.message}`).join('; ');
    throw new TripwireError('TW_CONFIG_INVALID', `${source}: ${what}`);
  }
  const basePath = options.basePath ?? '/shop';
  const products: Product[] = parsed.data.products.map((product) =>
    Object.freeze({
      ...product,
      url: product.url ?? `${basePath}/p/${product.id}`,
      image: product.image ?? `${basePath}/img/${product.id}.svg`,
    }),
  );
  return indexCatalogue(parsed.data.categories.map((category) => Object.freeze(category)), products);
}

function indexCatalogue(categories: readonly Category[], products: readonly Product[]): Catalogue {
  const productsById = new Map(products.map((product) => [product.id, product]));
  const categoriesById = new Map(categories.map((category) => [category.id, category]));
  return Object.freeze({
    products: Object.freeze([...products]),
    categories: Object.freeze([...categories]),
    product: (productId: string) => productsById.get(productId),
    category: (categoryId: string) => categoriesById.get(categoryId),
    productsIn: (categoryId: string) => products.filter((product) => product.category === categoryId),
  });
}

function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`)).join('');
}
