import type { Catalogue } from './catalogue.js';
import type { Html } from './html.js';
import { readShopAssets, type ShopAssets } from './assets.js';
import { answerLogin } from './login.js';
import { pageHeaders } from './page-headers.js';
import { productImage } from './product-image.js';
import { shopPaths } from './shop-paths.js';
import { jsonResponse, type ShopRequest, type ShopResponse } from './shop-response.js';
import type { ShopContext } from './pages/layout.js';
import { homePage } from './pages/home.js';
import { categoryPage } from './pages/category.js';
import { productPage } from './pages/product.js';
import { cartPage } from './pages/cart.js';
import { checkoutPage } from './pages/checkout.js';
import { orderPage } from './pages/order.js';
import { searchPage } from './pages/search.js';
import { loginPage } from './pages/login.js';
import { notFoundPage } from './pages/not-found.js';

export interface DemoShopOptions {
  catalogue: Catalogue;
  /** The site key the pasted snippet carries (data-site). */
  siteKey: string;
  /** Signs visitors' emails for `identify`, as the site's backend would. */
  siteSecret: string;
  basePath?: '/shop';
  /** Folder holding shop.css and shop.js; found from the project root unless given. */
  assetsDir?: string;
}

const CATEGORY_ROUTE = /^\/c\/([a-z0-9-]+)$/;
const PRODUCT_ROUTE = /^\/p\/([a-z0-9-]+)$/;
const IMAGE_ROUTE = /^\/img\/([a-z0-9-]+)\.svg$/;

/** Search queries longer than this are cut: nobody types more, and the page echoes it. */
const MAX_QUERY_LENGTH = 200;

/**
 * A small e-commerce site served by the engine itself, so `npm start` has somewhere to
 * browse and see pop-ins. It behaves as any customer site would: the snippet pasted in
 * <head>, `tw(...)` calls from its own script, and its own backend signing sign-ins.
 */
export class DemoShop {
  private readonly ctx: ShopContext;
  private readonly siteSecret: string;
  private readonly assets: ShopAssets;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly images = new Map<string, string>();

  constructor(options: DemoShopOptions) {
    this.ctx = {
      catalogue: options.catalogue,
      paths: shopPaths(options.basePath ?? '/shop'),
      siteKey: options.siteKey,
    };
    this.siteSecret = options.siteSecret;
    this.assets = readShopAssets(options.assetsDir);
    this.headers = Object.freeze(pageHeaders());
  }

  /** The shop's home page, for the start-up banner. */
  get homePath(): string {
    return this.ctx.paths.home;
  }

  /** Answers a request under the base path; undefined for any other path, so the caller can route it elsewhere. */
  async handle(request: ShopRequest): Promise<ShopResponse | undefined> {
    const base = this.ctx.paths.base;
    if (request.path !== base && !request.path.startsWith(`${base}/`)) return undefined;
    const route = request.path.slice(base.length).replace(/\/+$/, '') || '/';
    if (route === '/api/login') {
      return request.method === 'POST' ? answerLogin(request.body, this.siteSecret) : methodNotAllowed('POST');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET, HEAD');
    return this.get(route, new URLSearchParams(request.query.replace(/^\?/, '')));
  }

  private get(route: string, query: URLSearchParams): ShopResponse {
    const { catalogue } = this.ctx;
    switch (route) {
      case '/':
        return this.page(homePage(this.ctx));
      case '/cart':
        return this.page(cartPage(this.ctx));
      case '/checkout':
        return this.page(checkoutPage(this.ctx));
      case '/login':
        return this.page(loginPage(this.ctx));
      case '/order':
        return this.page(orderPage(this.ctx, query.get('n') ?? ''));
      case '/search':
        return this.page(searchPage(this.ctx, (query.get('q') ?? '').slice(0, MAX_QUERY_LENGTH)));
      case '/assets/shop.css':
        return asset('text/css; charset=utf-8', this.assets.stylesheet);
      case '/assets/shop.js':
        return asset('text/javascript; charset=utf-8', this.assets.script);
      case '/assets/icon.svg':
        return asset('image/svg+xml', this.assets.icon);
    }
    const categoryId = CATEGORY_ROUTE.exec(route)?.[1];
    const category = categoryId === undefined ? undefined : catalogue.category(categoryId);
    if (category) return this.page(categoryPage(this.ctx, category));
    const productId = PRODUCT_ROUTE.exec(route)?.[1];
    const product = productId === undefined ? undefined : catalogue.product(productId);
    if (product) return this.page(productPage(this.ctx, product));
    const imageId = IMAGE_ROUTE.exec(route)?.[1];
    const image = imageId === undefined ? undefined : this.image(imageId);
    if (image) return asset('image/svg+xml', image);
    return this.page(notFoundPage(this.ctx), 404);
  }

  private page(body: Html, status = 200): ShopResponse {
    return { status, contentType: 'text/html; charset=utf-8', body: body.text, headers: this.headers };
  }

  private image(id: string): string | undefined {
    const cached = this.images.get(id);
    if (cached) return cached;
    const product = this.ctx.catalogue.product(id);
    if (!product) return undefined;
    const image = productImage(product);
    this.images.set(id, image);
    return image;
  }
}

function asset(contentType: string, body: string): ShopResponse {
  return { status: 200, contentType, body, headers: { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' } };
}

function methodNotAllowed(allow: string): ShopResponse {
  const response = jsonResponse(405, { error: `Use ${allow}.` });
  return { ...response, headers: { ...response.headers, allow } };
}
