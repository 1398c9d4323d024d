import type { Product } from '../catalogue.js';
import { html, type Html } from '../html.js';
import { formatPrice } from '../price.js';
import type { ShopContext } from './layout.js';

export function productGrid(ctx: ShopContext, products: readonly Product[]): Html {
  return html`<ul class="product-grid" data-test="product-grid">
  ${products.map((product) => html`<li>${productCard(ctx, product)}</li>`)}
</ul>`;
}

function productCard(ctx: ShopContext, product: Product): Html {
  const soldOut = product.stock === 'out_of_stock';
  return html`<article class="product-card" data-test="product-card">
    <a href="${ctx.paths.product(product.id)}" data-test="product-link" data-product-id="${product.id}">
      <img src="${ctx.paths.image(product.id)}" alt="" width="400" height="400" loading="lazy">
      <h3>${product.name}</h3>
    </a>
    <p class="card-meta"><span class="price">${formatPrice(product.price)}</span>${soldOut ? html` <span class="badge badge-muted">Sold out</span>` : ''}</p>
  </article>`;
}
