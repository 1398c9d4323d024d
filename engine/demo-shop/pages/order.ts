import { html, type Html } from '../html.js';
import { layout, type ShopContext } from './layout.js';

/** Order numbers are made by shop.js (TW-…); anything else in the URL is not shown back. */
const ORDER_NUMBER = /^[A-Z0-9-]{1,40}$/;

export function orderPage(ctx: ShopContext, order: string): Html {
  const number = ORDER_NUMBER.test(order) ? order : undefined;
  return layout(ctx, {
    title: 'Thank you for your order',
    page: 'order',
    main: html`<section class="confirmation" data-test="order-confirmation">
  <h1>Thank you for your order</h1>
  ${number ? html`<p>Your order number is <strong data-test="order-number">${number}</strong>.</p>` : ''}
  <p>We have sent a confirmation by email. Your parcel leaves us within two working days.</p>
  <ul class="summary-lines" data-test="order-lines" data-order-lines></ul>
  <p class="summary-row" data-order-total-row hidden><span>Total paid</span><strong data-test="order-total" data-order-total></strong></p>
  <a class="button" href="${ctx.paths.home}" data-test="continue-shopping">Continue shopping</a>
</section>`,
  });
}
