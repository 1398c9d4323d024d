import type { Category } from '../catalogue.js';
import { html, type Html } from '../html.js';
import { layout, type ShopContext } from './layout.js';
import { productGrid } from './product-card.js';

export function categoryPage(ctx: ShopContext, category: Category): Html {
  const products = ctx.catalogue.productsIn(category.id);
  return layout(ctx, {
    title: category.name,
    page: 'category',
    event: { type: 'category', props: { id: category.id, name: category.name } },
    main: html`<nav class="breadcrumbs" aria-label="Breadcrumb"><a href="${ctx.paths.home}">Home</a> / <span>${category.name}</span></nav>
<header class="page-header">
  <h1 data-test="category-title">${category.name}</h1>
  <p>${category.blurb}</p>
  <p class="muted">${products.length} ${products.length === 1 ? 'product' : 'products'}</p>
</header>
${productGrid(ctx, products)}`,
  });
}
