/**
 * Rows Tripwire stores for analysts. Times are epoch milliseconds here; each backend maps
 * them to what its server supports (DateTime plus a millisecond column on ClickHouse 18.16).
 */

export interface EventRow {
  site: string;
  visitor_id: string;
  session_id: string;
  event_id: string;
  type: string;
  time: number;
  received_at: number;
  url: string;
  product_id: string;
  category: string;
  search_query: string;
  value: number;
  /** The remaining properties, as a JSON object. */
  props: string;
}

export type TriggerStatus = 'fired' | 'suppressed';

export interface TriggerRow {
  trigger_id: string;
  site: string;
  visitor_id: string;
  scenario_id: string;
  variant: string;
  channel: string;
  status: TriggerStatus;
  /** Why a trigger was suppressed: cooldown, cap, priority, control, consent; empty when fired. */
  reason: string;
  event_id: string;
  time: number;
  /** Template context, as a JSON object. */
  context: string;
}

export interface DeliveryRow {
  delivery_id: string;
  trigger_id: string;
  site: string;
  visitor_id: string;
  scenario_id: string;
  channel: string;
  /**
   * popin: sent, no_connection, dropped, shown, clicked, dismissed. email: queued, sent, failed,
   * retried, dead, suppressed, opened, clicked, unsubscribed. Any channel: suppressed, a fired
   * trigger whose delivery, tried again after a failure, was stopped (detail: the reason).
   */
  status: string;
  detail: string;
  time: number;
}

/**
 * One order, written for its first purchase event: a repeat from the same visitor within the
 * store's dedupe horizon is left out by the pipeline; later or cross-visitor repeats are not.
 */
export interface ConversionRow {
  site: string;
  visitor_id: string;
  /** The site's order id; the purchase event id when the site sent none. */
  order_id: string;
  /** The purchase event that reported the order. */
  event_id: string;
  /** Order value, in the site's currency. */
  value: number;
  /** Number of items (sum of quantities), or 0 when the event listed none. */
  items: number;
  /** Trigger the order names itself (a pop-in coupon, an email link), or empty; windowed attribution is done in queries. */
  trigger_id: string;
  time: number;
}

export interface WarehouseRows {
  events: EventRow;
  triggers: TriggerRow;
  deliveries: DeliveryRow;
  conversions: ConversionRow;
}

export type WarehouseTable = keyof WarehouseRows;

export const WAREHOUSE_TABLES: readonly WarehouseTable[] = ['events', 'triggers', 'deliveries', 'conversions'];
