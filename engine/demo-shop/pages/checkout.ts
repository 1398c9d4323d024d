import { html, type Html } from '../html.js';
import { layout, type ShopContext } from './layout.js';

export function checkoutPage(ctx: ShopContext): Html {
  return layout(ctx, {
    title: 'Checkout',
    page: 'checkout',
    main: html`<header class="page-header"><h1>Checkout</h1></header>
<div class="cart-layout">
  <form class="checkout-form" data-test="checkout-form" data-checkout-form novalidate>
    <fieldset>
      <legend>Contact</legend>
      ${field('email', 'Email', 'email', 'email')}
    </fieldset>
    <fieldset>
      <legend>Delivery</legend>
      ${field('name', 'Full name', 'text', 'name')}
      ${field('address', 'Street and number', 'text', 'street-address')}
      <div class="field-row">
        ${field('postcode', 'Postcode', 'text', 'postal-code')}
        ${field('city', 'City', 'text', 'address-level2')}
      </div>
      <label class="field"><span>Country</span>
        <select name="country" autocomplete="country" data-test="checkout-country">
          <option>Belgium</option><option>France</option><option>Germany</option><option>Ireland</option><option>Netherlands</option><option>Spain</option>
        </select>
      </label>
    </fieldset>
    <fieldset>
      <legend>Payment</legend>
      <p class="muted">This is a demo: no card is asked for and nothing is charged.</p>
    </fieldset>
    <p class="form-message form-error" role="alert" data-test="checkout-message" data-checkout-message></p>
    <button class="button button-block" type="submit" data-test="place-order">Place order</button>
  </form>
  <aside class="summary" aria-label="Order summary">
    <h2>Your order</h2>
    <ul class="summary-lines" data-test="checkout-lines" data-checkout-lines></ul>
    <p class="summary-row"><span>Total</span><strong data-test="checkout-total" data-checkout-total>€0.00</strong></p>
    <a class="link-quiet" href="${ctx.paths.cart}">Edit cart</a>
  </aside>
</div>`,
  });
}

function field(name: string, label: string, type: string, autocomplete: string): Html {
  return html`<label class="field"><span>${label}</span><input name="${name}" type="${type}" autocomplete="${autocomplete}" required data-test="checkout-${name}"></label>`;
}
