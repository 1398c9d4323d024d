import type { Clock } from '../events/index.js';
import { TripwireError, isTripwireError, type ErrorCode } from '../errors.js';
import { percentDecoded, type PageRequest, type PageResponse, type PageSource } from '../gateway/index.js';
import type { CatalogueFeed } from './catalogue-feed.js';
import type { CatalogueStore } from './catalogue-store.js';
import { isAuthorizedFeed } from './feed-auth.js';
import { parseFeedRows } from './feed-rows.js';

export interface CatalogueApiDeps {
  feed: CatalogueFeed;
  store: CatalogueStore;
  /** Site key → secret: the site's backend authenticates with it. */
  secrets: ReadonlyMap<string, string>;
  clock: Clock;
}

export interface CatalogueApiOptions {
  /** Largest request body accepted. */
  maxBodyBytes: number;
  /** How far a signed request's timestamp may be from now. */
  signatureTolerance: number;
}

const PRODUCTS = /^\/catalogue\/([^/]+)\/products(?:\/([^/]+))?$/;
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The catalogue feed, a server-to-server API (docs/catalogue.md):
 *   POST /catalogue/<site>/products        a JSON array of products (or { "products": [...] })
 *   GET  /catalogue/<site>/products/<id>   one product, as the engine knows it
 * authenticated with the site's secret (Bearer, or an HMAC signature of the body).
 */
export class CatalogueApi implements PageSource {
  readonly prefix = '/catalogue';
  readonly maxBodyBytes: number;

  constructor(
    private readonly deps: CatalogueApiDeps,
    private readonly options: CatalogueApiOptions,
  ) {
    this.maxBodyBytes = options.maxBodyBytes;
  }

  async handle(request: PageRequest): Promise<PageResponse | undefined> {
    const route = PRODUCTS.exec(request.path);
    if (route === null) return undefined;
    const site = percentDecoded(route[1]!);
    const productId = route[2] === undefined ? undefined : percentDecoded(route[2]);
    // Said before authentication: a malformed escape is a fault of the path, whatever sites exist.
    if (site === undefined) return failure(400, 'TW_CATALOGUE_INVALID', 'the site key in the path has a malformed percent-escape');
    if (productId === undefined && route[2] !== undefined) return failure(400, 'TW_CATALOGUE_INVALID', 'the product id in the path has a malformed percent-escape');
    const secret = this.deps.secrets.get(site);
    const body = request.body ?? '';
    // An unknown site gets the same answer as a wrong secret: the API does not tell which sites exist.
    if (secret === undefined || !isAuthorizedFeed(secret, { headers: request.headers, body, now: this.deps.clock.now() }, this.options.signatureTolerance)) {
      return failure(401, 'TW_UNAUTHORIZED', `send "Authorization: Bearer <site secret>" or a signed request for site "${site.slice(0, 40)}" (docs/catalogue.md)`);
    }
    try {
      if (request.method === 'POST' && productId === undefined) return await this.upsert(site, body);
      if (request.method === 'GET' && productId !== undefined) return await this.read(site, productId);
      return failure(404, 'TW_NOT_FOUND', 'use POST /catalogue/<site>/products or GET /catalogue/<site>/products/<id>');
    } catch (error) {
      if (!isTripwireError(error)) throw error;
      if (error.code === 'TW_CATALOGUE_INVALID' || error.code === 'TW_BAD_JSON') return failure(400, error.code, error.message);
      if (error.code === 'TW_STORE_UNAVAILABLE') return failure(503, error.code, error.message);
      throw error;
    }
  }

  private async upsert(site: string, body: string): Promise<PageResponse> {
    const result = await this.deps.feed.update(site, parseFeedRows(rowsOf(body)));
    return json(200, {
      k: 'ok',
      created: result.created,
      updated: result.updated,
      unchanged: result.unchanged,
      changes: result.changes.map((change) => ({ kind: change.kind, id: change.product.id, price: change.product.price, old_price: change.oldPrice })),
      events: result.fanOut.events,
      failed: result.fanOut.failed,
    });
  }

  private async read(site: string, id: string): Promise<PageResponse> {
    const product = await this.deps.store.product(site, id);
    if (product === undefined) return failure(404, 'TW_NOT_FOUND', `site "${site}" has no product "${id.slice(0, 128)}"`);
    return json(200, product);
  }
}

function rowsOf(body: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new TripwireError('TW_BAD_JSON', `the body is not JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(parsed)) return parsed;
  if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { products?: unknown }).products)) {
    return (parsed as { products: unknown[] }).products;
  }
  throw new TripwireError('TW_CATALOGUE_INVALID', 'the body must be a JSON array of products, or an object with a "products" array');
}

function json(status: number, value: unknown): PageResponse {
  return { status, contentType: JSON_TYPE, body: JSON.stringify(value) };
}

function failure(status: number, code: ErrorCode, message: string): PageResponse {
  return json(status, { k: 'err', c: code, m: message });
}
