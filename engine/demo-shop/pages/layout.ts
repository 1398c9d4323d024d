import type { Catalogue } from '../catalogue.js';
import { Html, html } from '../html.js';
import type { ShopPaths } from '../shop-paths.js';

/** What every page needs to render: the catalogue, the shop's URLs and the site key for the tracker. */
export interface ShopContext {
  catalogue: Catalogue;
  paths: ShopPaths;
  siteKey: string;
}

/** The tracker event a page reports on load; shop.js reads it from the <main> element. */
export interface PageEvent {
  type: 'product' | 'category' | 'search';
  props: Record<string, string | number>;
}

export interface PageContent {
  title: string;
  /** Names the page for shop.js (which behaviour to attach) and for CSS. */
  page: string;
  main: Html;
  /** The search box shows this query again on the results page. */
  query?: string;
  event?: PageEvent;
}

/** The inline half of the snippet a site pastes, verbatim; its hash goes into the Content-Security-Policy. */
export const TRACKER_STUB = 'window.tw=window.tw||function(){(tw.q=tw.q||[]).push(arguments)};';

export const SHOP_NAME = 'Kettle & Kiln';

export function layout(ctx: ShopContext, content: PageContent): Html {
  const { paths } = ctx;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${content.title} · ${SHOP_NAME}</title>
<script>${new Html(TRACKER_STUB)}</script>
<script async src="/tw.js" data-site="${ctx.siteKey}"></script>
<link rel="icon" href="${paths.icon}" type="image/svg+xml">
<link rel="stylesheet" href="${paths.stylesheet}">
<script defer src="${paths.script}"></script>
</head>
<body data-page="${content.page}" data-base="${paths.base}">
<a class="skip-link" href="#main">Skip to content</a>
<p class="announcement">Free shipping on orders over €50 · Roasted fresh every Tuesday</p>
<header class="site-header">
  <div class="header-bar">
    <a class="brand" href="${paths.home}" data-test="home-link"><span class="brand-mark" aria-hidden="true"></span>${SHOP_NAME}</a>
    <form class="search-form" role="search" action="${paths.search}" method="get">
      <label class="visually-hidden" for="search-q">Search the shop</label>
      <input id="search-q" name="q" type="search" placeholder="Search coffee, mugs, linen…" value="${content.query ?? ''}" data-test="search-input" required>
      <button type="submit" data-test="search-submit">Search</button>
    </form>
    <span class="account" data-test="account" data-account><a href="${paths.login}" data-test="login-link">Sign in</a></span>
    <a class="cart-link" href="${paths.cart}" data-test="cart-link">Cart <span class="cart-count" data-test="cart-count" data-cart-count>0</span></a>
  </div>
  <nav class="category-nav" aria-label="Categories">
    ${ctx.catalogue.categories.map((category) => html`<a href="${paths.category(category.id)}" data-test="category-link">${category.name}</a>`)}
  </nav>
</header>
<main id="main" class="page page-${content.page}"${content.event ? html` data-tw-event="${content.event.type}" data-tw-props="${JSON.stringify(content.event.props)}"` : ''}>
${content.main}
</main>
<footer class="site-footer">
  <p><strong>${SHOP_NAME}</strong> · coffee and homewares from a small shop in Ghent.</p>
  <p class="fine-print">A demo shop for Tripwire: nothing here is for sale and no order is shipped. Prices include VAT.</p>
</footer>
</body>
</html>`;
}
