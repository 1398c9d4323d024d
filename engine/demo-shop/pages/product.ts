import type { Product } from '../catalogue.js';
import { html, type Html } from '../html.js';
import { formatPrice } from '../price.js';
import { layout, type ShopContext } from './layout.js';
import { productGrid } from './product-card.js';

const MAX_QUANTITY = 10;

export function productPage(ctx: ShopContext, product: Product): Html {
  const { catalogue, paths } = ctx;
  const category = catalogue.category(product.category);
  const inStock = product.stock === 'in_stock';
  const related = catalogue.productsIn(product.category).filter((other) => other.id !== product.id).slice(0, 4);
  return layout(ctx, {
    title: product.name,
    page: 'product',
    event: {
      type: 'product',
      props: {
        id: product.id,
        name: product.name,
        price: product.price,
        category: product.category,
        image: paths.image(product.id),
        url: paths.product(product.id),
        stock: product.stock,
      },
    },
    main: html`<nav class="breadcrumbs" aria-label="Breadcrumb"><a href="${paths.home}">Home</a> / ${category ? html`<a href="${paths.category(category.id)}">${category.name}</a> / ` : ''}<span>${product.name}</span></nav>
<article class="product-detail">
  <img class="product-image" src="${paths.image(product.id)}" alt="${product.name}" width="400" height="400" data-test="product-image">
  <div class="product-info">
    <h1 data-test="product-name">${product.name}</h1>
    <p class="product-price" data-test="product-price">${formatPrice(product.price)}</p>
    <p class="stock ${inStock ? 'stock-in' : 'stock-out'}" data-test="stock" data-stock="${product.stock}">${inStock ? 'In stock, ships in 1-2 days' : 'Out of stock'}</p>
    <p class="product-description">${product.description}</p>
    <form class="add-to-cart" data-test="add-to-cart-form" data-add-to-cart>
      <label for="quantity">Quantity</label>
      <input id="quantity" name="qty" type="number" inputmode="numeric" min="1" max="${MAX_QUANTITY}" value="1" data-test="quantity"${inStock ? '' : html` disabled`}>
      <button class="button" type="submit" data-test="add-to-cart"${inStock ? '' : html` disabled`}>${inStock ? 'Add to cart' : 'Out of stock'}</button>
    </form>
    <p class="form-message" role="status" data-test="cart-message" data-cart-message></p>
  </div>
</article>
${related.length > 0 ? html`<section aria-labelledby="related-title"><h2 id="related-title">You might also like</h2>${productGrid(ctx, related)}</section>` : ''}`,
  });
}
