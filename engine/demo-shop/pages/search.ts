import { html, type Html } from '../html.js';
import { searchProducts } from '../search.js';
import { layout, type ShopContext } from './layout.js';
import { productGrid } from './product-card.js';

export function searchPage(ctx: ShopContext, query: string): Html {
  const trimmed = query.trim();
  const results = searchProducts(ctx.catalogue, trimmed);
  return layout(ctx, {
    title: trimmed ? `Search: ${trimmed}` : 'Search',
    page: 'search',
    query: trimmed,
    ...(trimmed ? { event: { type: 'search' as const, props: { q: trimmed } } } : {}),
    main: html`<header class="page-header">
  <h1 data-test="search-title">${trimmed ? html`Results for “${trimmed}”` : 'Search the shop'}</h1>
  <p class="muted" data-test="search-count">${trimmed ? `${results.length} ${results.length === 1 ? 'product' : 'products'} found` : 'Type a word in the search box: a bean, a colour, a thing.'}</p>
</header>
${results.length > 0
  ? productGrid(ctx, results)
  : trimmed
    ? html`<p class="empty" data-test="search-empty">Nothing matches that. Try “mug”, “linen” or “espresso”, or <a href="${ctx.paths.home}">browse the shop</a>.</p>`
    : ''}`,
  });
}
