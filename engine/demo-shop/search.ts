import type { Catalogue, Product } from './catalogue.js';

/** Products whose name, description or category name hold every word of the query, case-insensitively. */
export function searchProducts(catalogue: Catalogue, query: string): Product[] {
  const words = query.toLowerCase().split(/\s+/).filter((word) => word.length > 0);
  if (words.length === 0) return [];
  return catalogue.products.filter((product) => {
    const haystack = [product.name, product.description, catalogue.category(product.category)?.name ?? '']
      .join(' ')
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}
