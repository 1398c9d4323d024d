import { html, type Html } from '../html.js';
import { layout, type ShopContext } from './layout.js';

/** The cart lives in the visitor's localStorage, so shop.js fills the lines in. */
export function cartPage(ctx: ShopContext): Html {
  return layout(ctx, {
    title: 'Your cart',
    page: 'cart',
    main: html`<header class="page-header"><h1>Your cart</h1></header>
<div class="cart-layout">
  <section aria-label="Cart lines">
    <ul class="cart-lines" data-test="cart-lines" data-cart-lines></ul>
    <p class="empty" data-test="cart-empty" data-cart-empty hidden>Your cart is empty. <a href="${ctx.paths.home}">Find something you like</a>.</p>
  </section>
  <aside class="summary" aria-label="Order summary" data-cart-summary>
    <p class="summary-row"><span>Subtotal</span><strong data-test="cart-total" data-cart-total>€0.00</strong></p>
    <p class="muted" data-shipping-note></p>
    <a class="button button-block" href="${ctx.paths.checkout}" data-test="checkout-button" data-checkout-link>Checkout</a>
    <a class="link-quiet" href="${ctx.paths.home}">Continue shopping</a>
  </aside>
</div>`,
  });
}
