import { describe, expect, test } from 'vitest';
import type { TrackedEvent } from '../../events/index.js';
import { eventFromRow, eventRow, type StoredEvent } from './event-rows.js';

const row = (props: Record<string, unknown>): StoredEvent => ({
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
  expect(eventFromRow(row({ name: 'Lamp', stock: 0 })).props).toEqual({ id: 'lamp', name: 'Lamp', stock: 'out_of_stock' });
  expect(eventFromRow(row({ stock: 4 })).props.stock).toBe('in_stock');
  expect(eventFromRow(row({ stock: 'out_of_stock' })).props.stock).toBe('out_of_stock');
  expect(eventFromRow(row({})).props).toEqual({ id: 'lamp' });
});

const T0 = Date.UTC(2026, 0, 1);

describe('events rows', () => {
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
});
