import { MAX_ITEMS } from '../../../engine/protocol/index.js';
import { amount, text } from './record.js';
import type { Props } from './record.js';

type Params = Record<string, unknown>;

/** GA4 e-commerce event names (developers.google.com/analytics/devguides/collection/ga4/reference/events) → Tripwire event types. */
const TYPES: Record<string, string> = {
  view_item: 'product',
  view_item_list: 'category',
  add_to_cart: 'cart_add',
  remove_from_cart: 'cart_remove',
  begin_checkout: 'checkout',
  purchase: 'purchase',
  search: 'search',
  view_search_results: 'search',
};

/** The event's items in Tripwire's words; items without an id are left out. */
function items(params: Params): Props[] {
  const lines: Props[] = [];
  for (const raw of Array.isArray(params.items) ? params.items : []) {
    const it = (raw || {}) as Params;
    const id = text(it.item_id);
    if (id) lines.push({ id, name: text(it.item_name), price: amount(it.price), qty: amount(it.quantity), category: text(it.item_category) });
  }
  return lines;
}

/**
 * Tripwire events for one GA4 e-commerce event: view_item → product (its first item),
 * add_to_cart → cart_add and remove_from_cart → cart_remove (one per item), view_item_list →
 * category, begin_checkout → checkout, purchase, search and view_search_results → search.
 * Other events, and events without what the engine needs (an id, a search term), give none.
 * A checkout or purchase keeps its first MAX_ITEMS lines, and items_cut counts the others: the
 * engine refuses a longer list, and with it the whole order.
 */
export function ga4Events(name: string, params: Params): Array<[string, Props]> {
  const type = TYPES[name];
  const lines = items(params);
  if (type === 'product') return lines.slice(0, 1).map((line) => [type, line]);
  if (type === 'cart_add' || type === 'cart_remove') return lines.map((line) => [type, line]);
  const props: Props =
    type === 'category'
      ? { id: text(params.item_list_id) || text(params.item_list_name) || (lines[0] && lines[0].category), name: text(params.item_list_name) }
      : type === 'search'
        ? { q: text(params.search_term) }
        : { order: text(params.transaction_id), value: amount(params.value), currency: text(params.currency), items: lines.slice(0, MAX_ITEMS) };
  if (lines.length > MAX_ITEMS && props.items) props.items_cut = lines.length - MAX_ITEMS;
  return type && (props.id || props.q || props.items) ? [[type, props]] : [];
}
