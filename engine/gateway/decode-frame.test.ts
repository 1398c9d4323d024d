import { describe, expect, it, test } from 'vitest';
import { decodeFrame } from './decode-frame.js';

const NOW = 1_700_000_000_000;
const LIMITS = { maxEventsPerFrame: 50, maxClockSkew: 60_000, maxEventAge: 86_400_000 };

function decodeProduct(p: Record<string, unknown>) {
  const frame = decodeFrame(JSON.stringify({ b: [{ i: 'e1', t: 'product', ts: NOW, p: { id: 'lamp', ...p } }] }), { site: 'shop', visitor: 'ann' }, NOW, LIMITS);
  if (!frame.ok) throw new Error(frame.problem.message);
  return frame;
}

describe('decodeFrame and a product\'s stock', () => {
  test.each([
    ['in_stock', 'in_stock'],
    ['out_of_stock', 'out_of_stock'],
    [3, 'in_stock'],
    [0, 'out_of_stock'],
    [-2, 'out_of_stock'],
    [true, 'in_stock'],
    [false, 'out_of_stock'],
    ['InStock', 'in_stock'],
    ['https://schema.org/OutOfStock', 'out_of_stock'],
    ['http://schema.org/SoldOut', 'out_of_stock'],
  ])('stock %j reaches the scenarios as %s, as the catalogue feed stores it', (sent, status) => {
    expect(decodeProduct({ stock: sent }).events[0]?.props.stock).toBe(status);
  });

  test('a product whose page did not say its stock is left without one', () => {
    expect(decodeProduct({}).events[0]?.props).toEqual({ id: 'lamp' });
  });

  test('any other stock refuses the event with a message naming the values allowed', () => {
    const frame = decodeProduct({ stock: 'PreOrder' });
    expect(frame.events).toEqual([]);
    expect(frame.problems).toEqual([{ code: 'TW_BAD_EVENT', eventId: 'e1', message: expect.stringMatching(/"p\.stock" must be "in_stock", "out_of_stock", a schema.org availability/) }]);
  });

  test('another event type\'s own stock property is the site\'s, left as sent', () => {
    const frame = decodeFrame(JSON.stringify({ b: [{ i: 'e1', t: 'track', ts: NOW, p: { name: 'restock', stock: 12 } }] }), { site: 'shop', visitor: 'ann' }, NOW, LIMITS);
    expect(frame.ok && frame.events[0]?.props.stock).toBe(12);
  });
});

const limits = { maxEventsPerFrame: 50, maxClockSkew: 60_000, maxEventAge: 86_400_000 };
const now = Date.UTC(2026, 0, 5, 10);

function identify(email: unknown) {
  const decoded = decodeFrame(JSON.stringify({ b: [{ i: 'e-1', t: 'identify', ts: now, p: { email } }] }), { site: 'acme', visitor: 'v-1' }, now, limits);
  if (!decoded.ok) throw new Error('frame refused');
  return decoded;
}

describe('an identify\'s email', () => {
  it.each(['ada@example.test', 'Ada.Lovelace+shop@Example.TEST', ' ada@example.test ', 'zoë@exämple.test'])('is accepted as one plain address: %s', (email) => {
    const decoded = identify(email);

    expect(decoded.problems).toEqual([]);
    expect(decoded.events.map((event) => event.props.email)).toEqual([email]);
  });

  it.each([
    'mallory@example.test, victim@example.test',
    'mallory@example.test;victim@example.test',
    'Mallory <mallory@example.test>',
    '<victim@example.test>',
    'mallory@example.test victim@example.test',
    '"victim@example.test" mallory@example.test',
    'victim@example.test\r\nBcc: other@example.test',
    'no-at-sign',
    '',
    42,
  ])('is refused with TW_BAD_EVENT unless it is exactly one plain address: %j', (email) => {
    const decoded = identify(email);

    expect(decoded.events).toEqual([]);
    expect(decoded.problems).toEqual([{ code: 'TW_BAD_EVENT', eventId: 'e-1', message: expect.stringMatching(/exactly one plain address/) }]);
  });

  it('may be left out: an identify of traits only', () => {
    const decoded = decodeFrame(JSON.stringify({ b: [{ i: 'e-1', t: 'identify', ts: now, p: { traits: { plan: 'gold' } } }] }), { site: 'acme', visitor: 'v-1' }, now, limits);

    expect(decoded.ok && decoded.problems).toEqual([]);
  });
});

describe('an order of more lines than the wire allows', () => {
  const order = (type: string, lines: number) => {
    const items = Array.from({ length: lines }, (_, i) => ({ id: `sku-${i}`, qty: 1, price: 2 }));
    const frame = decodeFrame(JSON.stringify({ b: [{ i: 'e1', t: type, ts: NOW, p: { order: 'A-1', value: 2 * lines, items } }] }), { site: 'shop', visitor: 'ann' }, NOW, LIMITS);
    if (!frame.ok) throw new Error(frame.problem.message);
    return frame;
  };

  it.each(['purchase', 'checkout'])('keeps a %s with its first 100 lines and counts the others in items_cut', (type) => {
    const decoded = order(type, 150);

    expect(decoded.problems).toEqual([]);
    const props = decoded.events[0]!.props as { items: Array<{ id: string }>; items_cut: number; value: number };
    expect(props.items).toHaveLength(100);
    expect(props.items.at(-1)!.id).toBe('sku-99');
    expect(props.items_cut).toBe(50);
    expect(props.value).toBe(300);
  });

  it('leaves an order within the bound as it came', () => {
    const props = order('purchase', 100).events[0]!.props;

    expect((props.items as unknown[]).length).toBe(100);
    expect(props.items_cut).toBeUndefined();
  });

  it('still refuses any other property holding more than 100 entries', () => {
    const frame = decodeFrame(JSON.stringify({ b: [{ i: 'e1', t: 'track', ts: NOW, p: { name: 'x', list: Array.from({ length: 101 }, () => 1) } }] }), { site: 'shop', visitor: 'ann' }, NOW, LIMITS);

    expect(frame.ok && frame.problems.map((problem) => problem.code)).toEqual(['TW_BAD_EVENT']);
  });
});

describe('an event\'s time on a device whose clock is wrong', () => {
  const HOUR = 3_600_000;
  const timeOf = (ts: number, sentAt?: unknown) => {
    const frame = decodeFrame(JSON.stringify({ st: sentAt, b: [{ i: 'e1', t: 'page', ts }] }), { site: 'shop', visitor: 'ann' }, NOW, LIMITS);
    if (!frame.ok) throw new Error(frame.problem.message);
    return frame.events[0]!.time;
  };

  test('is moved by how far the device clock was from the engine\'s when it sent the frame', () => {
    expect(timeOf(NOW - 2 * HOUR - 5_000, NOW - 2 * HOUR)).toBe(NOW - 5_000);
  });

  test('from a clock hours ahead is its own, not the arrival time', () => {
    expect(timeOf(NOW + 3 * HOUR - 1_000, NOW + 3 * HOUR)).toBe(NOW - 1_000);
  });

  test('of an event queued offline keeps its age once corrected', () => {
    expect(timeOf(NOW - 7 * HOUR, NOW - HOUR)).toBe(NOW - 6 * HOUR);
  });

  test('corrected to older than maxEventAge becomes the arrival time', () => {
    expect(timeOf(NOW - 1_000, NOW + 2 * LIMITS.maxEventAge)).toBe(NOW);
  });

  test('corrected to further ahead than maxClockSkew becomes the arrival time', () => {
    expect(timeOf(NOW - HOUR + 2 * LIMITS.maxClockSkew, NOW - HOUR)).toBe(NOW);
  });

  test('without a sent time is the device\'s own, within the bounds', () => {
    expect(timeOf(NOW - 2 * HOUR)).toBe(NOW - 2 * HOUR);
    expect(timeOf(NOW + 2 * LIMITS.maxClockSkew)).toBe(NOW);
  });

  test.each([null, -1, 1e300, '1700000000000', true, { at: NOW }])('with an absurd sent time %j is the device\'s own, within the bounds', (sentAt) => {
    expect(timeOf(NOW - 2 * HOUR, sentAt)).toBe(NOW - 2 * HOUR);
  });

  test('comes with the frame\'s clock offset, for the metrics, or none without a sent time', () => {
    const frame = (st?: number) => decodeFrame(JSON.stringify({ st, b: [] }), { site: 'shop', visitor: 'ann' }, NOW, LIMITS);
    expect(frame(NOW - 90_000)).toMatchObject({ ok: true, clockOffset: 90_000 });
    expect(frame()).toMatchObject({ ok: true, clockOffset: undefined });
  });
});
