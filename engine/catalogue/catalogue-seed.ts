import type { CatalogueMirror } from './catalogue-mirror.js';
import type { CatalogueStore } from './catalogue-store.js';
import type { ProductUpdate } from './product.js';

/**
 * Adds the products a site's catalogue lacks, leaving those it has alone (the demo catalogue at
 * start: a restart must not undo what the feed said since), then loads the mirror. Returns the
 * number of products added; nothing is fanned out.
 */
export async function seedCatalogue(
  store: CatalogueStore,
  mirror: CatalogueMirror,
  site: string,
  products: readonly ProductUpdate[],
  now: number,
): Promise<number> {
  const known = new Set((await store.list(site)).map((product) => product.id));
  const missing = products.filter((product) => !known.has(product.id));
  if (missing.length > 0) await store.upsert(site, missing, now);
  await mirror.refresh([site]);
  return missing.length;
}
