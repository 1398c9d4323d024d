import { describe, expect, it } from 'vitest';
import { generateShopperSessions, SeededRandom, ZipfSampler, type RecordedEvent } from '../../bench/generator/index.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5);
const events = generateShopperSessions({ seed: 42, visitors: 6000, days: 14, start: START });

function sessionsOf(stream: readonly RecordedEvent[]): Map<string, RecordedEvent[]> {
  const sessions = new Map<string, RecordedEvent[]>();
  for (const event of stream) {
    const list = sessions.get(event.ss!) ?? [];
    list.push(event);
    sessions.set(event.ss!, list);
  }
  return sessions;
}

const sessions = [...sessionsOf(events).values()];
const withType = (type: string) => sessions.filter((session) => session.some((event) => event.t === type)).length;

describe('the seeded shopper-session generator', () => {
  it('gives the same stream for the same seed', () => {
    const again = generateShopperSessions({ seed: 42, visitors: 300, days: 3, start: START });
    expect(generateShopperSessions({ seed: 42, visitors: 300, days: 3, start: START })).toEqual(again);
  });

  it('gives another stream for another seed', () => {
    const one = generateShopperSessions({ seed: 1, visitors: 300, days: 3, start: START });
    const two = generateShopperSessions({ seed: 2, visitors: 300, days: 3, start: START });
    expect(one).not.toEqual(two);
  });

  it('returns the events in time order', () => {
    expect(events.every((event, i) => i === 0 || events[i - 1]!.ts <= event.ts)).toBe(true);
  });

  it('adds to cart in 8-10% of sessions, the published range', () => {
    const rate = withType('cart_add') / sessions.length;
    expect(rate).toBeGreaterThan(0.075);
    expect(rate).toBeLessThan(0.105);
  });

  it('abandons about 70% of carts', () => {
    const abandonment = 1 - withType('purchase') / withType('cart_add');
    expect(abandonment).toBeGreaterThan(0.64);
    expect(abandonment).toBeLessThan(0.76);
  });

  it('sends every purchase through checkout', () => {
    for (const session of sessions) {
      if (session.some((event) => event.t === 'purchase')) expect(session.some((event) => event.t === 'checkout')).toBe(true);
    }
  });

  it('brings about a third of visitors back, on a later day', () => {
    const visits = new Map<string, Set<string>>();
    for (const event of events) visits.set(event.v, (visits.get(event.v) ?? new Set()).add(event.ss!));
    const returning = [...visits.values()].filter((set) => set.size > 1).length / visits.size;
    expect(returning).toBeGreaterThan(0.22);
    expect(returning).toBeLessThan(0.38);
    const spans = [...sessionsOf(events).values()].map((session) => session[0]!);
    const firstSeen = new Map<string, number>();
    for (const start of spans) firstSeen.set(start.v, Math.min(firstSeen.get(start.v) ?? Infinity, start.ts));
    expect(spans.some((start) => start.ts - firstSeen.get(start.v)! > DAY)).toBe(true);
  });

  it('skews product views towards a few popular products', () => {
    const views = new Map<string, number>();
    for (const event of events) if (event.t === 'product') views.set(String(event.p!.id), (views.get(String(event.p!.id)) ?? 0) + 1);
    const counts = [...views.values()].sort((a, b) => b - a);
    const total = counts.reduce((sum, count) => sum + count, 0);
    const top10 = counts.slice(0, 10).reduce((sum, count) => sum + count, 0);
    expect(top10 / total).toBeGreaterThan(0.25);
    expect(views.get('sku-1')!).toBeGreaterThan(views.get('sku-50') ?? 0);
  });

  it('writes events the gateway accepts: unique ids per visitor, known types, a session id', () => {
    expect(new Set(events.map((event) => `${event.v}/${event.i}`)).size).toBe(events.length);
    expect(events.every((event) => /^[A-Za-z0-9_-]{1,64}$/.test(event.v) && event.i.length <= 64 && event.ss !== undefined)).toBe(true);
  });

  it('refuses a checkout rate below the purchase rate it implies', () => {
    expect(() => generateShopperSessions({ seed: 1, visitors: 1, days: 1, start: START, cartAbandonment: 0.5, checkoutRate: 0.3 })).toThrow(RangeError);
  });
});

describe('the Zipf sampler', () => {
  it('draws rank 0 about twice as often as rank 1 with exponent 1', () => {
    const random = new SeededRandom(7);
    const zipf = new ZipfSampler(100, 1);
    const counts = [0, 0];
    for (let i = 0; i < 50_000; i++) {
      const rank = zipf.sample(random);
      if (rank < 2) counts[rank]!++;
    }
    expect(counts[0]! / counts[1]!).toBeGreaterThan(1.8);
    expect(counts[0]! / counts[1]!).toBeLessThan(2.2);
  });
});
