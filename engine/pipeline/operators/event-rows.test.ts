import { expect, test } from 'vitest';
import { eventFromRow, type StoredEvent } from './event-rows.js';

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
