import { amount, text } from './record.js';
import type { CaptureEvent, Props } from './record.js';

type Node = Record<string, unknown>;

const SELECTOR = 'script[type="application/ld+json"]';
const OUT = /OutOfStock|SoldOut|Discontinued/;
const IN = /InStock|LimitedAvailability|OnlineOnly|InStoreOnly/;

/**
 * Records a `product` event for the schema.org Product a page describes in JSON-LD: on load, and
 * whenever a single-page app inserts new JSON-LD (a route change). Only the first Product of a
 * page URL counts: others on the page are related products, not the one viewed.
 */
export function captureJsonLd(record: CaptureEvent): void {
  let page = '';
  const scan = (script: Element): void => {
    if (page === location.href) return;
    const product = productOf(script.textContent || '');
    if (product) {
      page = location.href;
      record('product', product);
    }
  };
  const scanAll = (): void => document.querySelectorAll(SELECTOR).forEach(scan);
  scanAll();
  // A parser still busy with the body, or a single-page app rendering a route, adds scripts later.
  new MutationObserver((changes) => {
    for (const change of changes) {
      change.addedNodes.forEach((node) => {
        if (node instanceof Element) (node.matches(SELECTOR) ? [node] : node.querySelectorAll(SELECTOR)).forEach(scan);
      });
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
  if (document.readyState === 'loading') addEventListener('DOMContentLoaded', scanAll);
}

/** The product event's props from one JSON-LD script's text, or null when it holds no Product with an id. */
export function productOf(json: string): Props | null {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    // The site's JSON-LD is malformed: search engines ignore it too, and so does the tracker.
    if (TW_DEV) console.warn('[tripwire] unreadable JSON-LD', json.slice(0, 80));
    return null;
  }
  for (const node of candidates(data)) {
    const product = isProduct(node) ? productProps(node) : null;
    if (product) return product;
  }
  return null;
}

/** The nodes a Product may be: the top level (object or array), its @graph, a page's mainEntity. */
function candidates(data: unknown): Node[] {
  const found: Node[] = [];
  for (const node of ([] as unknown[]).concat(data)) {
    if (!node || typeof node !== 'object') continue;
    const object = node as Node;
    found.push(object);
    for (const inner of ([] as unknown[]).concat(object['@graph'] || [], object.mainEntity || [])) {
      if (inner && typeof inner === 'object') found.push(inner as Node);
    }
  }
  return found;
}

function isProduct(node: Node): boolean {
  // "Product", "schema:Product", "https://schema.org/Product", or an array holding one of them.
  return ([] as unknown[]).concat(node['@type']).some((type) => typeof type === 'string' && /(^|[/:])Product$/.test(type));
}

function productProps(node: Node): Props | null {
  const id = text(node.sku) || text(node.productID) || text(node.mpn);
  if (!id) return null;
  const offer = (([] as unknown[]).concat(node.offers)[0] || {}) as Node;
  const availability = String(offer.availability || '');
  return {
    id,
    name: text(node.name),
    price: amount(offer.price === undefined ? offer.lowPrice : offer.price),
    currency: text(offer.priceCurrency),
    stock: OUT.test(availability) ? 'out_of_stock' : IN.test(availability) ? 'in_stock' : undefined,
    image: imageOf(node.image),
    category: text(([] as unknown[]).concat(node.category)[0]),
    url: text(node.url),
  };
}

/** image is a URL, an ImageObject, or an array of either: the first URL. */
function imageOf(image: unknown): string | undefined {
  const first = ([] as unknown[]).concat(image)[0];
  return text(first && typeof first === 'object' ? (first as Node).url : first);
}
