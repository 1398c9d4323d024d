import { z } from 'zod';
import { TripwireError } from '../errors.js';
import { isSafeLink, stockStatus } from '../protocol/index.js';
import type { ProductUpdate } from './product.js';

const MAX_ERRORS_SHOWN = 10;

const productId = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform(String)
  .pipe(z.string().regex(/^[^\s{}]{1,128}$/, 'must be 1-128 characters, without spaces or braces'));

/** A feed must not be able to put a javascript: link, or a path that leaves the site, in an email or a pop-in. */
const link = z.string().max(2048).refine(isSafeLink, 'must be an http(s) URL or a path on the site starting with "/"');

/** `in_stock`/`out_of_stock`, a quantity (0 is out of stock), or true/false for "available". */
const stock = z
  .union([z.enum(['in_stock', 'out_of_stock']), z.number().int().nonnegative(), z.boolean()])
  .transform((value) => stockStatus(value)!);

export const feedRowSchema = z.strictObject({
  id: productId,
  name: z.string().min(1).max(500).optional(),
  price: z.number().nonnegative().optional(),
  category: z.string().max(200).optional(),
  stock: stock.optional(),
  url: link.optional(),
  image: link.optional(),
});

/**
 * Validates feed rows; `label(i)` names row i in errors ("products[3]", "line 4"). Every
 * invalid row is reported (up to ten), and none is accepted when one is invalid.
 */
export function parseFeedRows(rows: readonly unknown[], label: (index: number) => string = (index) => `products[${index}]`): ProductUpdate[] {
  const updates: ProductUpdate[] = [];
  const errors: string[] = [];
  rows.forEach((row, index) => {
    const parsed = feedRowSchema.safeParse(row);
    if (parsed.success) {
      updates.push(withoutUndefined(parsed.data));
      return;
    }
    const id = typeof row === 'object' && row !== null && 'id' in row ? ` (id "${String((row as { id: unknown }).id).slice(0, 64)}")` : '';
    const issues = parsed.error.issues.map((issue) => `${issue.path.length === 0 ? '' : `${issue.path.join('.')}: `}${issue.message}`);
    errors.push(`${label(index)}${id}: ${issues.join('; ')}`);
  });
  if (errors.length > 0) {
    const more = errors.length > MAX_ERRORS_SHOWN ? `\n  ...and ${errors.length - MAX_ERRORS_SHOWN} more invalid rows` : '';
    throw new TripwireError('TW_CATALOGUE_INVALID', `${errors.length} invalid catalogue row(s), nothing was written:\n  ${errors.slice(0, MAX_ERRORS_SHOWN).join('\n  ')}${more}`);
  }
  return updates;
}

function withoutUndefined(row: z.infer<typeof feedRowSchema>): ProductUpdate {
  const update: ProductUpdate = { id: row.id };
  if (row.name !== undefined) update.name = row.name;
  if (row.price !== undefined) update.price = row.price;
  if (row.category !== undefined) update.category = row.category;
  if (row.stock !== undefined) update.stock = row.stock;
  if (row.url !== undefined) update.url = row.url;
  if (row.image !== undefined) update.image = row.image;
  return update;
}
