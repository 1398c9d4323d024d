import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStage, serveShopPage, until, visitorOf } from '../test-support/index.js';
import type { ShopPage, TrackerStage } from '../test-support/index.js';

/** The page's dataLayer and gtag, as Google's snippets define them. */
declare const dataLayer: unknown[];
declare function gtag(...args: unknown[]): void;

let stage: TrackerStage;
beforeAll(async () => {
  stage = await openStage();
});
afterAll(async () => {
  await stage?.close();
});

const GTAG = 'window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}';

function jsonLd(data: unknown): string {
  return `<script type="application/ld+json">${JSON.stringify(data)}</script>`;
}

async function shopper(path: string, page: ShopPage): Promise<{ page: Page; visitor: string }> {
  const browserPage = await stage.newPage();
  await browserPage.goto(serveShopPage(stage.harness, path, page));
  let visitor: string | null = null;
  await until('tw.js has stored a visitor id', async () => (visitor = await visitorOf(browserPage)) !== null);
  return { page: browserPage, visitor: visitor! };
}

function received(visitor: string, type?: string): Array<{ t: string; p?: Record<string, unknown> }> {
  return stage.harness.eventsOf(visitor, type);
}

describe('JSON-LD', () => {
  test('a schema.org Product in an @graph becomes one product event, with price, stock, image and category', async () => {
    const product = {
      '@type': ['Product'],
      sku: 'TR-42',
      name: 'Trail shoe',
      image: [{ '@type': 'ImageObject', url: 'https://cdn.example/tr-42.jpg' }],
      category: 'Shoes',
      offers: { '@type': 'Offer', price: '89.90', priceCurrency: 'EUR', availability: 'https://schema.org/OutOfStock' },
    };
    const { visitor } = await shopper('/p/tr-42', {
      snippet: { capture: ['jsonld'] },
      body: jsonLd({ '@context': 'https://schema.org', '@graph': [{ '@type': 'BreadcrumbList' }, product] }),
    });
    await until('the product event arrived', () => received(visitor, 'product').length === 1);
    expect(received(visitor, 'product')[0]!.p).toEqual({
      id: 'TR-42',
      name: 'Trail shoe',
      price: 89.9,
      currency: 'EUR',
      stock: 'out_of_stock',
      image: 'https://cdn.example/tr-42.jpg',
      category: 'Shoes',
    });
  });

  test('a single-page app route that renders new JSON-LD records the new product, and malformed JSON-LD is ignored', async () => {
    const { page, visitor } = await shopper('/spa-ld', {
      snippet: { capture: ['jsonld'] },
      body: '<script type="application/ld+json">{not json</script>' + jsonLd({ '@type': 'Product', productID: 'A1', offers: { price: 10, availability: 'InStock' } }),
    });
    await until('the first product arrived', () => received(visitor, 'product').length === 1);
    await page.evaluate((script) => {
      history.pushState(null, '', '/spa-ld/b2');
      const holder = document.createElement('div');
      holder.innerHTML = script;
      // innerHTML does not run scripts, and JSON-LD is data: inserting it is what frameworks do.
      document.body.append(holder);
    }, jsonLd({ '@type': 'Product', productID: 'B2', offers: [{ price: 12.5, availability: 'https://schema.org/InStock' }] }));
    await until('the second product arrived', () => received(visitor, 'product').length === 2);
    expect(received(visitor, 'product').map((event) => [event.p!.id, event.p!.price, event.p!.stock])).toEqual([
      ['A1', 10, 'in_stock'],
      ['B2', 12.5, 'in_stock'],
    ]);
  });
});

describe('dataLayer', () => {
  test('GA4 e-commerce events map to Tripwire events, those pushed before the tracker loaded included, each once', async () => {
    const { page, visitor } = await shopper('/gtm', {
      snippet: { capture: ['datalayer'] },
      before:
        GTAG +
        ";dataLayer.push({ecommerce:null});dataLayer.push({event:'view_item_list',ecommerce:{item_list_id:'shoes',item_list_name:'Shoes'}});" +
        "gtag('event','view_item',{currency:'EUR',value:89.9,items:[{item_id:'TR-42',item_name:'Trail shoe',price:89.9,item_category:'Shoes'}]});",
    });
    await until('the page view and the two early events arrived', () => received(visitor).length === 3);
    await page.evaluate(() => {
      dataLayer.push({ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'TR-42', price: 89.9, quantity: 2 }, { item_id: 'SO-1', price: 5, quantity: 1 }] } });
      gtag('event', 'remove_from_cart', { items: [{ item_id: 'SO-1', quantity: 1 }] });
      dataLayer.push({ event: 'search', search_term: 'socks' });
      gtag('event', 'begin_checkout', { value: 179.8, items: [{ item_id: 'TR-42', price: 89.9, quantity: 2 }] });
      dataLayer.push({ event: 'purchase', ecommerce: { transaction_id: 'A-1042', value: 179.8, currency: 'EUR', items: [{ item_id: 'TR-42', price: 89.9, quantity: 2 }] } });
      dataLayer.push({ event: 'gtm.click' }, ['config', 'G-XYZ']);
    });
    await until('the purchase arrived', () => received(visitor, 'purchase').length === 1);
    await page.evaluate(() => (window as unknown as { tw: (command: string, name: string) => void }).tw('track', 'marker'));
    await until('the marker arrived', () => received(visitor, 'track').length === 1);
    expect(received(visitor).map((event) => [event.t, event.p])).toEqual([
      ['page', expect.anything()],
      ['category', { id: 'shoes', name: 'Shoes' }],
      ['product', { id: 'TR-42', name: 'Trail shoe', price: 89.9, category: 'Shoes' }],
      ['cart_add', { id: 'TR-42', price: 89.9, qty: 2 }],
      ['cart_add', { id: 'SO-1', price: 5, qty: 1 }],
      ['cart_remove', { id: 'SO-1', qty: 1 }],
      ['search', { q: 'socks' }],
      ['checkout', { value: 179.8, items: [{ id: 'TR-42', price: 89.9, qty: 2 }] }],
      ['purchase', { order: 'A-1042', value: 179.8, currency: 'EUR', items: [{ id: 'TR-42', price: 89.9, qty: 2 }] }],
      ['track', { name: 'marker' }],
    ]);
  });

  test('a product both in JSON-LD and in a view_item is recorded once', async () => {
    const { page, visitor } = await shopper('/both', {
      snippet: { capture: ['jsonld', 'datalayer'] },
      before: GTAG + ";gtag('event','view_item',{items:[{item_id:'TR-42',price:89.9}]});",
      body: jsonLd({ '@type': 'Product', sku: 'TR-42', offers: { price: 89.9 } }),
    });
    await until('the product arrived', () => received(visitor, 'product').length === 1);
    await page.evaluate(() => dataLayer.push({ event: 'search', search_term: 'marker' }));
    await until('the marker arrived', () => received(visitor, 'search').length === 1);
    expect(received(visitor, 'product')).toHaveLength(1);
  });
});

describe('the capture chunk', () => {
  test('is not fetched by a page whose tag has no data-capture', async () => {
    const page = await stage.newPage();
    const scripts: string[] = [];
    page.on('request', (request) => request.resourceType() === 'script' && scripts.push(new URL(request.url()).pathname));
    await page.goto(serveShopPage(stage.harness, '/plain', { before: GTAG + ";gtag('event','search',{search_term:'x'})" }));
    await page.waitForLoadState('networkidle');
    expect(scripts).toEqual(['/tw.js']);
  });

  test('with "exit", the pointer leaving through the top of the window records exit_intent, once', async () => {
    const { page, visitor } = await shopper('/exit', { snippet: { capture: ['exit'] } });
    await until('the capture chunk is loaded', () => page.evaluate(() => !!document.querySelector('script[src$="tw-capture.js"]')));
    await page.waitForLoadState('networkidle');
    for (let n = 0; n < 2; n++) {
      await page.mouse.move(300, 200);
      await page.mouse.move(300, 100, { steps: 5 });
      await page.mouse.move(300, -20, { steps: 5 });
    }
    await until('exit_intent arrived', () => received(visitor, 'exit_intent').length === 1);
    await page.evaluate(() => (window as unknown as { tw: (command: string, name: string) => void }).tw('track', 'marker'));
    await until('the marker arrived', () => received(visitor, 'track').length === 1);
    expect(received(visitor, 'exit_intent')).toHaveLength(1);
  });
});
