import { html, type Html } from '../html.js';
import { layout, type ShopContext } from './layout.js';

export function notFoundPage(ctx: ShopContext): Html {
  return layout(ctx, {
    title: 'Page not found',
    page: 'not-found',
    main: html`<section class="narrow confirmation" data-test="not-found">
  <h1>We could not find that page</h1>
  <p>The product may have been retired, or the link has a typo.</p>
  <a class="button" href="${ctx.paths.home}">Back to the shop</a>
</section>`,
  });
}
