// What a shopper sends: a realistic mix of page, product, category, search and cart events,
// shaped as the tracker's wire frames (engine/protocol/messages.ts). Shared by every k6 script
// and by bench/hot-path.ts, which passes a seeded `random` so two runs send the same stream.

const MIX = [
  ['page', 0.24],
  ['product', 0.4],
  ['category', 0.16],
  ['search', 0.1],
  ['cart_add', 0.07],
  ['cart_remove', 0.01],
  ['checkout', 0.015],
  ['purchase', 0.005],
];
const CUMULATIVE = MIX.reduce((acc, [type, weight]) => {
  acc.push([type, (acc.length ? acc[acc.length - 1][1] : 0) + weight]);
  return acc;
}, []);
const PRODUCTS = 200;
const CATEGORIES = ['coffee', 'brewing', 'ceramics', 'linen', 'pantry'];
const QUERIES = ['espresso', 'v60 filter', 'oat milk', 'grinder', 'mug', 'apron', 'decaf', 'kettle'];

/** A product id skewed towards the first ones (rank r chosen with weight ~ 1/r). */
export function popularProduct(random = Math.random) {
  const rank = Math.floor(Math.exp(random() * Math.log(PRODUCTS + 1)));
  return `sku-${Math.max(1, rank)}`;
}

function pick(list, random) {
  return list[Math.floor(random() * list.length)];
}

function props(type, random) {
  switch (type) {
    case 'product': {
      const id = popularProduct(random);
      return { id, name: `Product ${id}`, price: 19.5, category: pick(CATEGORIES, random), url: `/shop/p/${id}` };
    }
    case 'category':
      return { id: pick(CATEGORIES, random) };
    case 'search':
      return { q: pick(QUERIES, random) };
    case 'cart_add':
    case 'cart_remove':
      return { id: popularProduct(random), qty: 1, price: 19.5 };
    case 'checkout':
      return { value: 39 };
    case 'purchase':
      return { order: `o-${Math.floor(random() * 1e9)}`, value: 39 };
    default:
      return undefined;
  }
}

function eventType(random) {
  const x = random();
  for (const [type, upTo] of CUMULATIVE) if (x < upTo) return type;
  return 'page';
}

/**
 * Event bodies without id and time, built once: a frame then costs a few string concatenations
 * instead of a JSON.stringify, which keeps the load generator's share of the CPU down.
 */
export function eventBodies(random = Math.random, count = 512) {
  const bodies = [];
  for (let i = 0; i < count; i++) {
    const type = eventType(random);
    const p = props(type, random);
    bodies.push(`"t":"${type}","u":"/shop/${type}"${p === undefined ? '' : `,"p":${JSON.stringify(p)}`}}`);
  }
  return bodies;
}

const BODIES = eventBodies();

/** One visitor's stream: ids unique per visitor, one session id, times from the local clock. */
export class Shopper {
  constructor(visitor, { random = Math.random, bodies = BODIES } = {}) {
    this.visitor = visitor;
    this.random = random;
    this.bodies = bodies;
    this.session = `s${Math.floor(random() * 1e9).toString(36)}`;
    this.sent = 0;
    this.head = `{"ss":"${this.session}","i":"${this.session}.`;
  }

  event(type = eventType(this.random), p = props(type, this.random)) {
    const event = { i: `${this.session}.${this.sent++}`, t: type, ts: Date.now(), u: `/shop/${type}`, ss: this.session };
    if (p !== undefined) event.p = p;
    return event;
  }

  /** The id the next frame's first event will carry: replies are matched to frames by it. */
  nextId() {
    return `${this.session}.${this.sent}`;
  }

  /** A frame of `size` events of the realistic mix, with its sent time (`st`) as the tracker's frames carry it. */
  frame(size, now = Date.now()) {
    let text = '{"b":[';
    for (let i = 0; i < size; i++) {
      if (i > 0) text += ',';
      text += `${this.head}${this.sent++}","ts":${now},${this.bodies[Math.floor(this.random() * this.bodies.length)]}`;
    }
    return `${text}],"st":${now}}`;
  }

  /** A frame with one product view of `id`: three of them within 30 min fire the demo pop-in. */
  productView(id) {
    return JSON.stringify({ b: [this.event('product', { id, name: `Product ${id}`, price: 19.5, url: `/shop/p/${id}` })], st: Date.now() });
  }
}
