import { html, type Html } from '../html.js';
import { layout, type ShopContext } from './layout.js';
import { productGrid } from './product-card.js';

export function homePage(ctx: ShopContext): Html {
  const { catalogue, paths } = ctx;
  const featured = catalogue.products.filter((product) => product.featured);
  const firstCategory = catalogue.categories[0];
  return layout(ctx, {
    title: 'Coffee and homewares',
    page: 'home',
    main: html`<section class="hero">
  <div class="hero-text">
    <p class="eyebrow">New harvest in the roastery</p>
    <h1>Slow mornings, good coffee.</h1>
    <p>Fresh beans, honest brewing gear and handmade ceramics for the first hour of the day.</p>
    ${firstCategory ? html`<a class="button" href="${paths.category(firstCategory.id)}" data-test="hero-cta">Shop ${firstCategory.name.toLowerCase()}</a>` : ''}
  </div>
  ${featured[0] ? html`<img class="hero-image" src="${paths.image(featured[0].id)}" alt="" width="400" height="400">` : ''}
</section>
<section aria-labelledby="categories-title">
  <h2 id="categories-title">Shop by category</h2>
  <ul class="category-grid">
    ${catalogue.categories.map((category) => {
      const cover = catalogue.productsIn(category.id)[0];
      return html`<li><a class="category-card" href="${paths.category(category.id)}" data-test="category-card">
        ${cover ? html`<img src="${paths.image(cover.id)}" alt="" width="400" height="400" loading="lazy">` : ''}
        <span class="category-card-text"><strong>${category.name}</strong><span>${category.blurb}</span></span>
      </a></li>`;
    })}
  </ul>
</section>
<section aria-labelledby="featured-title">
  <h2 id="featured-title">Customer favourites</h2>
  ${productGrid(ctx, featured.length > 0 ? featured : catalogue.products.slice(0, 6))}
</section>
<section class="promise">
  <div><h3>Roasted on Tuesdays</h3><p>Beans leave the roastery within seven days of roasting.</p></div>
  <div><h3>Free shipping over €50</h3><p>Everything else ships for a flat €4.90 across the EU.</p></div>
  <div><h3>30-day returns</h3><p>Not right? Send it back unused and we refund you in full.</p></div>
</section>`,
  });
}
