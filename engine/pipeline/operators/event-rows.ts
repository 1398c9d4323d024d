import type { TrackedEvent } from '../../events/index.js';
import { stockStatus } from '../../protocol/index.js';
import type { ConversionRow, DeliveryRow, EventRow } from '../../warehouse/index.js';

/** Properties that have their own column, per event type; the rest stays in `props` as JSON. */
const COLUMNS: Partial<Record<TrackedEvent['type'], readonly string[]>> = {
  product: ['id', 'category'],
  cart_add: ['id', 'category'],
  cart_remove: ['id', 'category'],
  category: ['id'],
  search: ['q'],
  price_drop: ['id', 'category'],
  back_in_stock: ['id', 'category'],
};

export function eventRow(event: TrackedEvent): EventRow {
  const props = event.props;
  const columns = COLUMNS[event.type];
  let rest: Record<string, unknown> | undefined;
  for (const key in props) {
    if (columns !== undefined && columns.includes(key) && (key !== 'category' || columnCategory(props.category) !== undefined)) continue;
    (rest ??= {})[key] = props[key];
  }
  return {
    site: event.site,
    visitor_id: event.visitor,
    session_id: event.session,
    event_id: event.id,
    type: event.type,
    time: event.time,
    received_at: event.receivedAt,
    url: event.url,
    product_id: isProductish(event) && props.id !== undefined ? String(props.id) : '',
    category: categoryOf(event),
    search_query: event.type === 'search' && typeof props.q === 'string' ? props.q : '',
    value: typeof props.value === 'number' ? props.value : typeof props.price === 'number' ? props.price : 0,
    props: rest === undefined ? '{}' : event.type === 'identify' ? leading(rest, ['verified', 'email']) : event.type === 'consent' ? leading(rest, ['email']) : JSON.stringify(rest),
  };
}

/**
 * Props with the keys the engine reads first in the text: an identify's `verified` and the address
 * it verified, a consent's `email` (the audiences read both). On 18.16 analysts and the audiences
 * read them with visitParamExtract*, which takes the first match at any depth: a client's nested
 * `{"verified":true}` or `{"email":…}`, or one inside a string such as a consent's wording, must
 * not come first, and JSON.stringify would put integer-like keys before them.
 */
function leading(props: Record<string, unknown>, keys: readonly string[]): string {
  const first: Record<string, unknown> = {};
  const rest: Record<string, unknown> = { ...props };
  for (const key of keys) {
    first[key] = props[key];
    delete rest[key];
  }
  const head = JSON.stringify(first);
  const tail = JSON.stringify(rest);
  if (tail === '{}') return head;
  if (head === '{}') return tail;
  return `${head.slice(0, -1)},${tail.slice(1)}`;
}

/** A purchase is also a conversion: one row per order, which analysts join to triggers by visitor and time. */
export function conversionRow(event: TrackedEvent): ConversionRow | undefined {
  if (event.type !== 'purchase') return undefined;
  const { order, value, items, trigger } = event.props;
  const quantity = Array.isArray(items)
    ? items.reduce<number>((sum, item) => sum + (isRecord(item) && typeof item.qty === 'number' && Number.isFinite(item.qty) ? item.qty : 1), 0)
    : 0;
  return {
    site: event.site,
    visitor_id: event.visitor,
    order_id: typeof order === 'string' || typeof order === 'number' ? String(order) : event.id,
    event_id: event.id,
    value: typeof value === 'number' && Number.isFinite(value) ? value : 0,
    items: quantity,
    trigger_id: typeof trigger === 'string' ? trigger : '',
    time: event.time,
  };
}

/**
 * The id under which the window store records the order a purchase names, beside the event ids:
 * a reloaded thank-you page sends the same order under a new event id, and the store's duplicate
 * check (per visitor, within its dedupe horizon) then keeps its conversions row from being written
 * twice. Undefined without a site order id: the event id is the order id, already deduplicated.
 */
export function orderSeenId(event: TrackedEvent): string | undefined {
  if (event.type !== 'purchase') return undefined;
  const order = event.props.order;
  return typeof order === 'string' || typeof order === 'number' ? `order:${String(order)}` : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Pop-in feedback events are also deliveries: the warehouse computes pop-in KPIs from them. */
export function popinFeedbackRow(event: TrackedEvent): DeliveryRow | undefined {
  const status = POPIN_FEEDBACK[event.type];
  if (status === undefined) return undefined;
  const trigger = typeof event.props.trigger === 'string' ? event.props.trigger : '';
  return {
    delivery_id: `${trigger}:${status}:${event.id}`,
    trigger_id: trigger,
    site: event.site,
    visitor_id: event.visitor,
    scenario_id: typeof event.props.scenario === 'string' ? event.props.scenario : '',
    channel: 'popin',
    status,
    detail: '',
    time: event.time,
  };
}

const POPIN_FEEDBACK: Partial<Record<TrackedEvent['type'], string>> = {
  popin_shown: 'shown',
  popin_clicked: 'clicked',
  popin_dismissed: 'dismissed',
};

function isProductish(event: TrackedEvent): boolean {
  return COLUMNS[event.type]?.[0] === 'id' && event.type !== 'category';
}

function categoryOf(event: TrackedEvent): string {
  if (event.type === 'category' && event.props.id !== undefined) return String(event.props.id);
  return columnCategory(event.props.category) ?? '';
}

/**
 * A product's category as its column holds it. The gateway accepts any JSON value, and scenarios
 * group a number by its text, as `String` does; any other value (a list, an object) stays in props.
 */
function columnCategory(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** An events row as read back from the warehouse (times as epoch ms). */
export interface StoredEvent {
  site: string;
  visitor_id: string;
  session_id: string;
  event_id: string;
  type: string;
  time_ms: number;
  received_at_ms: number;
  url: string;
  product_id: string;
  category: string;
  search_query: string;
  props: string;
}

/** The inverse of eventRow: the event as the pipeline saw it, so a replay sees what the live engine saw. */
export function eventFromRow(row: StoredEvent): TrackedEvent {
  const props = JSON.parse(row.props) as TrackedEvent['props'];
  const type = row.type as TrackedEvent['type'];
  const columns = COLUMNS[type] ?? [];
  if (columns.includes('id')) props.id = type === 'category' ? row.category : row.product_id;
  if (columns.includes('category') && row.category !== '') props.category = row.category;
  if (columns.includes('q')) props.q = row.search_query;
  // Rows stored before the gateway made stock a status kept the page's quantity: a backtest
  // over them tests `stock: out_of_stock` as the live engine does today.
  if (type === 'product' && props.stock !== undefined) props.stock = stockStatus(props.stock) ?? props.stock;
  return {
    id: row.event_id,
    site: row.site,
    visitor: row.visitor_id,
    session: row.session_id,
    type,
    time: Number(row.time_ms),
    receivedAt: Number(row.received_at_ms),
    url: row.url,
    props,
  };
}
