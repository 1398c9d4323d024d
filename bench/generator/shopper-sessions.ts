import type { Props } from '../../engine/events/index.js';
import type { EventType } from '../../engine/protocol/index.js';
import type { RecordedEvent } from './recorded-event.js';
import { SeededRandom } from './seeded-random.js';
import { ZipfSampler } from './zipf.js';

/**
 * Defaults sit in the ranges e-commerce benchmarks publish: 8-10% of sessions add to cart,
 * about 70% of carts are abandoned (Baymard Institute's average of studies: 70.2%), just under
 * half of carts reach checkout, and roughly a third of visitors come back on another day.
 */
export interface ShopperSessionOptions {
  seed: number;
  visitors: number;
  /** Days the first visits spread over; return visits after the last day are not generated. */
  days: number;
  /** Epoch ms of the first day's start. */
  start: number;
  site?: string;
  products?: number;
  /** Zipf exponent of product popularity. */
  popularity?: number;
  /** Chance that a session not ended by a fruitless search adds to cart; ~9% of all sessions with the defaults. */
  addToCartRate?: number;
  cartAbandonment?: number;
  /** Share of carts that reach checkout; the purchases then follow from cartAbandonment. */
  checkoutRate?: number;
  /** Chance that a visitor comes back for one more session (so 1 + geometric sessions each). */
  returnRate?: number;
  /** Mean gap between a visitor's sessions. */
  returnGapMs?: number;
  /** Share of visitors who sign in (identify); only they can receive emails. */
  identifiedRate?: number;
  /** Share of signed-in visitors who grant the email purpose (the others refuse it): emails need it. */
  emailConsentRate?: number;
  /** Mean time between a shopper's clicks. */
  clickGapMs?: number;
}

const DEFAULTS = {
  site: 'demo',
  products: 500,
  popularity: 1,
  addToCartRate: 0.1,
  cartAbandonment: 0.7,
  checkoutRate: 0.45,
  returnRate: 0.33,
  returnGapMs: 36 * 3_600_000,
  identifiedRate: 0.2,
  emailConsentRate: 0.6,
  clickGapMs: 35_000,
} satisfies Omit<Required<ShopperSessionOptions>, 'seed' | 'visitors' | 'days' | 'start'>;

const CATEGORIES = ['coffee', 'brewing', 'ceramics', 'linen', 'pantry'];
const QUERIES = ['espresso', 'v60 filter', 'oat milk', 'grinder', 'mug', 'apron', 'decaf', 'kettle', 'gift card', 'teapot'];
const DAY = 86_400_000;

/** Generates every visitor's sessions and returns the events in time order. */
export function generateShopperSessions(options: ShopperSessionOptions): RecordedEvent[] {
  const settings = { ...DEFAULTS, ...options };
  if (settings.checkoutRate < 1 - settings.cartAbandonment) {
    throw new RangeError('checkoutRate must be at least 1 - cartAbandonment: every purchase goes through checkout');
  }
  const random = new SeededRandom(settings.seed);
  const popularity = new ZipfSampler(settings.products, settings.popularity);
  const end = settings.start + settings.days * DAY;
  const events: RecordedEvent[] = [];
  for (let index = 0; index < settings.visitors; index++) {
    const visitor = `g${settings.seed.toString(36)}v${index.toString(36)}`;
    const identified = random.chance(settings.identifiedRate);
    let sessionStart = settings.start + random.next() * settings.days * DAY;
    let session = 0;
    do {
      const shopper = new SessionWriter(visitor, `${visitor}s${session}`, settings.site, Math.floor(sessionStart), events);
      browse(shopper, random, popularity, settings, identified && (session === 0 || random.chance(0.3)));
      session++;
      sessionStart = shopper.time + random.exponential(settings.returnGapMs);
    } while (sessionStart < end && random.chance(settings.returnRate));
  }
  return events.sort((a, b) => a.ts - b.ts);
}

type Settings = typeof DEFAULTS;

function browse(shopper: SessionWriter, random: SeededRandom, popularity: ZipfSampler, settings: Settings, signsIn: boolean): void {
  const product = (rank: number): Props => ({ id: `sku-${rank + 1}`, name: `Product ${rank + 1}`, price: price(rank), url: `/shop/p/sku-${rank + 1}` });
  shopper.add('page', undefined, '/shop/', random, settings);
  if (signsIn) {
    shopper.add('identify', { email: `${shopper.visitor}@shoppers.example` }, '/shop/login', random, settings);
    shopper.add('consent', { analytics: true, email: random.chance(settings.emailConsentRate) }, '/shop/login', random, settings);
  }
  let interest = popularity.sample(random);
  const steps = 1 + random.repeats(0.62);
  for (let step = 0; step < steps; step++) {
    if (random.chance(0.2)) shopper.add('category', { id: random.pick(CATEGORIES) }, '/shop/c', random, settings);
    if (random.chance(0.12)) {
      shopper.add('search', { q: random.pick(QUERIES) }, '/shop/search', random, settings);
      // A search that finds nothing ends the session: the search-abandoned scenario's case.
      if (random.chance(0.3)) return;
    }
    if (!random.chance(0.35)) interest = popularity.sample(random);
    shopper.add('product', product(interest), `/shop/p/sku-${interest + 1}`, random, settings);
  }
  if (!random.chance(settings.addToCartRate)) return;
  shopper.add('cart_add', { id: `sku-${interest + 1}`, qty: 1, price: price(interest) }, '/shop/cart', random, settings);
  if (!random.chance(settings.checkoutRate)) return;
  shopper.add('checkout', { value: price(interest) }, '/shop/checkout', random, settings);
  if (!random.chance((1 - settings.cartAbandonment) / settings.checkoutRate)) return;
  const order = `${shopper.session}o`;
  shopper.add('purchase', { order, value: price(interest), items: [{ id: `sku-${interest + 1}`, qty: 1, price: price(interest) }] }, '/shop/order', random, settings);
}

/** Prices spread over 5-124.5 and fixed by rank, so a product keeps its price across sessions. */
function price(rank: number): number {
  return 5 + ((rank * 37) % 240) / 2;
}

class SessionWriter {
  private count = 0;

  constructor(
    readonly visitor: string,
    readonly session: string,
    private readonly site: string,
    public time: number,
    private readonly out: RecordedEvent[],
  ) {}

  add(type: EventType, props: Props | undefined, url: string, random: SeededRandom, settings: Settings): void {
    if (this.count > 0) this.time += Math.max(1000, Math.floor(random.exponential(settings.clickGapMs)));
    const event: RecordedEvent = { v: this.visitor, s: this.site, i: `${this.session}.${this.count++}`, t: type, ts: this.time, u: url, ss: this.session };
    if (props !== undefined) event.p = props;
    this.out.push(event);
  }
}
