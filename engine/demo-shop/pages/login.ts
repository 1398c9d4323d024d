import { html, type Html } from '../html.js';
import { layout, type ShopContext } from './layout.js';

export function loginPage(ctx: ShopContext): Html {
  return layout(ctx, {
    title: 'Sign in',
    page: 'login',
    main: html`<section class="narrow">
  <header class="page-header">
    <h1>Sign in</h1>
    <p class="muted">Demo accounts need no password: your email is enough.</p>
  </header>
  <form class="login-form" data-test="login-form" data-login-form data-api="${ctx.paths.loginApi}">
    <label class="field"><span>Email</span><input name="email" type="email" autocomplete="email" required data-test="login-email"></label>
    <label class="field"><span>First name <span class="muted">(optional)</span></span><input name="name" type="text" autocomplete="given-name" maxlength="100" data-test="login-name"></label>
    <label class="checkbox"><input name="offers" type="checkbox" data-test="login-consent"> Email me offers and new arrivals</label>
    <button class="button button-block" type="submit" data-test="login-submit">Sign in</button>
    <p class="form-message" role="status" data-test="login-message" data-login-message></p>
  </form>
</section>`,
  });
}
