import { expect, test } from 'vitest';
import { ga4Events } from './ga4-events.js';

const shoe = { item_id: 'TR-42', item_name: 'Trail shoe', price: '89.90', quantity: 2, item_category: 'Shoes' };

test('view_item becomes one product event, for its first item', () => {
  expect(ga4Events('view_item', { items: [shoe, { item_id: 'other' }] })).toEqual([
    ['product', { id: 'TR-42', name: 'Trail shoe', price: 89.9, qty: 2, category: 'Shoes' }],
  ]);
});

test('add_to_cart and remove_from_cart give one event per item, numeric ids as strings', () => {
  expect(ga4Events('add_to_cart', { items: [shoe, { item_id: 7, quantity: 1 }] }).map(([type, props]) => [type, props.id, props.qty])).toEqual([
    ['cart_add', 'TR-42', 2],
    ['cart_add', '7', 1],
  ]);
  expect(ga4Events('remove_from_cart', { items: [{ item_id: 'TR-42' }] })[0]![0]).toBe('cart_remove');
});

test('view_item_list becomes a category, named by its list id, else its name, else its first item’s category', () => {
  expect(ga4Events('view_item_list', { item_list_id: 'shoes', item_list_name: 'Shoes' })).toEqual([['category', { id: 'shoes', name: 'Shoes' }]]);
  expect(ga4Events('view_item_list', { items: [shoe] })[0]![1].id).toBe('Shoes');
});

test('purchase carries the order id, value and lines', () => {
  const [[type, props]] = ga4Events('purchase', { transaction_id: 'A-1', value: 179.8, currency: 'EUR', items: [shoe] }) as [[string, Record<string, unknown>]];
  expect(type).toBe('purchase');
  expect(props).toMatchObject({ order: 'A-1', value: 179.8, currency: 'EUR', items: [{ id: 'TR-42', qty: 2, price: 89.9 }] });
});

test('a purchase or checkout of more than 100 lines keeps its first 100, and items_cut says how many were left out', () => {
  const lines = Array.from({ length: 150 }, (_, n) => ({ item_id: 'sku-' + n, price: 1, quantity: 1 }));
  for (const name of ['purchase', 'begin_checkout']) {
    const [[, props]] = ga4Events(name, { transaction_id: 'A-2', value: 150, items: lines }) as [[string, Record<string, unknown>]];
    expect((props.items as Array<{ id: string }>).map((line) => line.id)).toEqual(lines.slice(0, 100).map((line) => line.item_id));
    expect(props).toMatchObject({ value: 150, items_cut: 50 });
  }
  const [[, whole]] = ga4Events('purchase', { transaction_id: 'A-3', items: lines.slice(0, 100) }) as [[string, Record<string, unknown>]];
  expect(whole.items).toHaveLength(100);
  expect(whole).not.toHaveProperty('items_cut');
});

test('search and view_search_results become a search for the term', () => {
  expect(ga4Events('search', { search_term: 'socks' })).toEqual([['search', { q: 'socks' }]]);
  expect(ga4Events('view_search_results', { search_term: 'socks' })).toEqual([['search', { q: 'socks' }]]);
});

test('gives nothing for other events, or without what the engine needs', () => {
  expect(ga4Events('page_view', {})).toEqual([]);
  expect(ga4Events('view_item', { items: [{ item_name: 'no id' }] })).toEqual([]);
  expect(ga4Events('search', {})).toEqual([]);
  expect(ga4Events('view_item_list', {})).toEqual([]);
});
