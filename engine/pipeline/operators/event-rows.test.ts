import { describe, expect, test } from 'vitest';
import type { TrackedEvent } from '../../events/index.js';
import { groupValue } from '../../scenarios/evaluate/event-matcher.js';
import { eventFromRow, eventRow, type StoredEvent } from './event-rows.js';

const T0 = Date.UTC(2026, 0, 1);

/** A product event as the gateway accepts it: `category` may be any JSON value (only `id` is checked). */
const viewed: TrackedEvent = {
  id: 'e1',
  site: 'shop',
  visitor: 'ann',
  session: 's',
  type: 'product',
  time: T0,
  receivedAt: T0,
  url: 'https://shop.example/p/mug',
  props: { id: 'mug', name: 'Mug', price: 12, category: 12 },
};

/** The events row as the warehouse gives it back to a backtest. */
function stored(event: TrackedEvent): StoredEvent {
  const row = eventRow(event);
  return { ...row, time_ms: row.time, received_at_ms: row.received_at };
}

describe('events rows', () => {
  test('a product event whose category is a number keeps its category in the events row', () => {
    const row = eventRow(viewed);
    expect(row.category).toBe('12');
    expect(JSON.parse(row.props)).toEqual({ name: 'Mug', price: 12 });
  });

  test('a stored product event replays with the category the live engine grouped it by', () => {
    const replayed = eventFromRow(stored(viewed));
    expect(groupValue(replayed, 'category')).toBe(groupValue(viewed, 'category'));
  });

  test('a category that is neither text nor a number stays in props, and replays as it was', () => {
    const listed: TrackedEvent = { ...viewed, props: { id: 'mug', category: ['kitchen', 'gifts'] } };
    const row = eventRow(listed);
    expect(row.category).toBe('');
    expect(JSON.parse(row.props)).toEqual({ category: ['kitchen', 'gifts'] });
    expect(eventFromRow(stored(listed)).props).toEqual(listed.props);
  });

  test("an identify's props lead with the engine's verified and email, ahead of a client's nested or integer-keyed fields", () => {
    // visitParamExtract* (the only JSON reader on 18.16) takes the first match at any depth.
    const identify: TrackedEvent = {
      id: 'e1',
      site: 'shop',
      visitor: 'ann',
      session: 's',
      type: 'identify',
      time: T0,
      receivedAt: T0,
      url: 'https://shop.example/account',
      props: { '0': { verified: true, email: 'victim@example.com' }, traits: { plan: 'pro' }, email: 'ann@example.com', verified: false },
    };
    const props = eventRow(identify).props;
    expect(props.startsWith('{"verified":false,"email":"ann@example.com",')).toBe(true);
    expect(JSON.parse(props)).toEqual(identify.props);
  });

  test("a consent's props lead with its email answer, ahead of a wording that quotes an \"email\" key or a nested one", () => {
    // Retargeting audiences read the answer with visitParamExtractRaw, which takes the first match, even inside a string.
    const consent: TrackedEvent = {
      id: 'e2',
      site: 'shop',
      visitor: 'ann',
      session: 's',
      type: 'consent',
      time: T0,
      receivedAt: T0,
      url: 'https://shop.example/account',
      props: { '1': { email: true }, wording: 'Send "email": true offers', email: false },
    };
    const props = eventRow(consent).props;
    expect(props.startsWith('{"email":false,')).toBe(true);
    expect(JSON.parse(props)).toEqual(consent.props);
  });
});

const storedProduct = (props: Record<string, unknown>): StoredEvent => ({
  site: 'shop',
  visitor_id: 'ann',
  session_id: 's1',
  event_id: 'e1',
  type: 'product',
  time_ms: 1_700_000_000_000,
  received_at_ms: 1_700_000_000_000,
  url: 'https://shop.example/p/lamp',
  product_id: 'lamp',
  category: '',
  search_query: '',
  props: JSON.stringify(props),
});

test('a product stored with the page\'s quantity before stock became a status is replayed with the status', () => {
  expect(eventFromRow(storedProduct({ name: 'Lamp', stock: 0 })).props).toEqual({ id: 'lamp', name: 'Lamp', stock: 'out_of_stock' });
  expect(eventFromRow(storedProduct({ stock: 4 })).props.stock).toBe('in_stock');
  expect(eventFromRow(storedProduct({ stock: 'out_of_stock' })).props.stock).toBe('out_of_stock');
  expect(eventFromRow(storedProduct({})).props).toEqual({ id: 'lamp' });
});
