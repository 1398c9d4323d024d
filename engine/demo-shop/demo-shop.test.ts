import { createHash, createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTripwireError } from '../errors.js';
import { DemoShop, loadCatalogue, type Catalogue, type ShopResponse } from './index.js';

const CATALOGUE_PATH = join(import.meta.dirname, '..', '..', 'deploy', 'demo', 'catalogue.json');
const SECRET = 'test-secret';
const SNIPPET =
  '<script>window.tw=window.tw||function(){(tw.q=tw.q||[]).push(arguments)};</script>\n' +
  '<script async src="/tw.js" data-site="demo"></script>';

let catalogue: Catalogue;
let shop: DemoShop;

beforeAll(async () => {
  catalogue = await loadCatalogue(CATALOGUE_PATH);
  shop = new DemoShop({ catalogue, siteKey: 'demo', siteSecret: SECRET });
});

async function get(path: string, query = ''): Promise<ShopResponse> {
  const response = await shop.handle({ method: 'GET', path, query });
  if (!response) throw new Error(`the shop did not answer ${path}`);
  return response;
}

function text(response: ShopResponse): string {
  return typeof response.body === 'string' ? response.body : new TextDecoder().decode(response.body);
}

describe('the demo catalogue', () => {
  it('has 3-4 categories, a dozen or more products and at least two out of stock', () => {
    expect(catalogue.categories.length).toBeGreaterThanOrEqual(3);
    expect(catalogue.categories.length).toBeLessThanOrEqual(4);
    expect(catalogue.products.length).toBeGreaterThanOrEqual(12);
    expect(catalogue.products.filter((product) => product.stock === 'out_of_stock').length).toBeGreaterThanOrEqual(2);
  });

  it('derives each product URL and image URL from its id', () => {
    const product = catalogue.products[0]!;
    expect(catalogue.product(product.id)).toMatchObject({ url: `/shop/p/${product.id}`, image: `/shop/img/${product.id}.svg` });
  });
});

describe('DemoShop pages', () => {
  const firstProduct = () => catalogue.products[0]!;
  const firstCategory = () => catalogue.categories[0]!;
  const pages: [string, () => [string, string?]][] = [
    ['home', () => ['/shop']],
    ['category', () => [`/shop/c/${firstCategory().id}`]],
    ['product', () => [`/shop/p/${firstProduct().id}`]],
    ['cart', () => ['/shop/cart']],
    ['checkout', () => ['/shop/checkout']],
    ['order confirmation', () => ['/shop/order', 'n=TW-ABC123']],
    ['search results', () => ['/shop/search', 'q=mug']],
    ['login', () => ['/shop/login']],
  ];

  it.each(pages)('renders the %s page with status 200 and the pasted snippet in <head>', async (_name, route) => {
    const [path, query] = route();
    const response = await get(path, query);
    expect(response.status).toBe(200);
    expect(response.contentType).toBe('text/html; charset=utf-8');
    const head = text(response).split('</head>')[0]!;
    expect(head).toContain(SNIPPET);
  });

  it('lists every category and the featured products on the home page', async () => {
    const body = text(await get('/shop/'));
    for (const category of catalogue.categories) expect(body).toContain(`href="/shop/c/${category.id}"`);
    for (const product of catalogue.products.filter((p) => p.featured)) expect(body).toContain(`href="/shop/p/${product.id}"`);
  });

  it('shows a product with its price, stock and add-to-cart button, and reports it as a product event', async () => {
    const product = firstProduct();
    const body = text(await get(`/shop/p/${product.id}`));
    expect(body).toContain('€13.50');
    expect(body).toContain('data-test="add-to-cart"');
    expect(body).toContain('data-tw-event="product"');
    expect(body).toContain(`&quot;id&quot;:&quot;${product.id}&quot;`);
    expect(body).toContain('data-stock="in_stock"');
  });

  it('disables add-to-cart for an out-of-stock product', async () => {
    const soldOut = catalogue.products.find((product) => product.stock === 'out_of_stock')!;
    const body = text(await get(`/shop/p/${soldOut.id}`));
    expect(body).toContain('data-stock="out_of_stock"');
    expect(body).toMatch(/data-test="add-to-cart" disabled/);
  });

  it('answers an unknown product with the 404 page', async () => {
    const response = await get('/shop/p/no-such-product');
    expect(response.status).toBe(404);
    expect(text(response)).toContain('data-test="not-found"');
  });

  it('answers an unknown category and an unknown image with 404', async () => {
    expect((await get('/shop/c/no-such-category')).status).toBe(404);
    expect((await get('/shop/img/no-such-product.svg')).status).toBe(404);
  });

  it('escapes a search query that carries markup, wherever it is shown', async () => {
    const body = text(await get('/shop/search', `q=${encodeURIComponent('<script>alert(1)</script>')}`));
    expect(body).not.toContain('<script>alert(1)');
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('finds products by a word of their name or description', async () => {
    const body = text(await get('/shop/search', 'q=mug'));
    expect(body).toContain('href="/shop/p/speckled-mug"');
    expect(body).toContain('data-tw-event="search"');
  });

  it('leaves paths outside the shop to the caller', async () => {
    expect(await shop.handle({ method: 'GET', path: '/tw.js', query: '' })).toBeUndefined();
    expect(await shop.handle({ method: 'GET', path: '/shopping', query: '' })).toBeUndefined();
  });

  it('sends a Content-Security-Policy that allows the pasted stub by its hash', async () => {
    const response = await get('/shop/');
    const stub = 'window.tw=window.tw||function(){(tw.q=tw.q||[]).push(arguments)};';
    const hash = createHash('sha256').update(stub).digest('base64');
    expect(response.headers?.['content-security-policy']).toContain(`'sha256-${hash}'`);
  });
});

describe('DemoShop assets', () => {
  it('serves shop.css and shop.js', async () => {
    const css = await get('/shop/assets/shop.css');
    const js = await get('/shop/assets/shop.js');
    expect([css.status, css.contentType]).toEqual([200, 'text/css; charset=utf-8']);
    expect([js.status, js.contentType]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(text(js)).toContain("tw('cart_add'");
  });

  it('draws the same SVG image for a product every time, with its initials', async () => {
    const first = await get('/shop/img/speckled-mug.svg');
    const second = await get('/shop/img/speckled-mug.svg');
    expect(first.contentType).toBe('image/svg+xml');
    expect(text(first)).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(text(first)).toContain('>SS</text>');
    expect(text(second)).toBe(text(first));
  });
});

describe('the sign-in API', () => {
  const login = (body: string) => shop.handle({ method: 'POST', path: '/shop/api/login', query: '', body });

  it('answers the lowercased email with its HMAC-SHA256 under the site secret', async () => {
    const response = (await login(JSON.stringify({ email: ' Ada@Example.COM ' })))!;
    expect(response.status).toBe(200);
    const expected = createHmac('sha256', SECRET).update('ada@example.com').digest('hex');
    expect(JSON.parse(text(response))).toEqual({ email: 'ada@example.com', hmac: expected });
  });

  it('refuses a body without a valid email', async () => {
    const response = (await login(JSON.stringify({ email: 'not-an-email' })))!;
    expect(response.status).toBe(400);
    expect(JSON.parse(text(response))).toEqual({ error: 'Enter a valid email address.' });
  });

  it('refuses GET', async () => {
    const response = (await shop.handle({ method: 'GET', path: '/shop/api/login', query: '' }))!;
    expect(response.status).toBe(405);
    expect(response.headers?.allow).toBe('POST');
  });
});

describe('loadCatalogue', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tw-catalogue-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function loadError(name: string, content: string): Promise<unknown> {
    const path = join(dir, name);
    await writeFile(path, content);
    return loadCatalogue(path).then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it('rejects a product with a mistyped field, naming the file and the field', async () => {
    const path = join(dir, 'mistyped.json');
    const error = await loadError(
      'mistyped.json',
      JSON.stringify({
        categories: [{ id: 'coffee', name: 'Coffee', blurb: '' }],
        products: [{ id: 'beans', name: 'Beans', price: 'cheap', category: 'coffee', description: '', stock: 'in_stock', color: '#112233' }],
      }),
    );
    expect(isTripwireError(error) && error.code).toBe('TW_CONFIG_INVALID');
    expect((error as Error).message).toContain(`${path}: products[0].price`);
  });

  it('rejects a product whose category does not exist', async () => {
    const error = await loadError(
      'orphan.json',
      JSON.stringify({
        categories: [{ id: 'coffee', name: 'Coffee', blurb: '' }],
        products: [{ id: 'mug', name: 'Mug', price: 9, category: 'ceramics', description: '', stock: 'in_stock', color: '#112233' }],
      }),
    );
    expect((error as Error).message).toContain('products[0].category: no category has the id "ceramics"');
  });

  it('rejects a file that is not JSON, naming the file', async () => {
    const path = join(dir, 'broken.json');
    const error = await loadError('broken.json', '{ "products": [');
    expect(isTripwireError(error) && error.code).toBe('TW_CONFIG_INVALID');
    expect((error as Error).message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`));
  });

  it('rejects a missing file, naming it', async () => {
    const error = await loadCatalogue(join(dir, 'absent.json')).catch((caught: unknown) => caught);
    expect(isTripwireError(error) && error.message).toContain('absent.json: cannot read');
  });
});
