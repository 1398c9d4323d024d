import type { ConversionRow, DeliveryRow, EventRow, TriggerRow, WarehouseRows, WarehouseTable } from '../rows.js';

/**
 * Rows as the tables store them. Every time `x` (epoch ms in the engine) is stored twice:
 * `x` as a UTC DateTime in seconds, for partitions and readable queries, and `x_ms` as
 * UInt64 epoch milliseconds, because ClickHouse 18.16 has no DateTime64. The same columns
 * exist on every server, so analysts' queries run unchanged on any of them.
 */
export type StoredRow = Record<string, string | number>;

// A non-finite number would serialize as null and the server would reject the whole batch.
function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

function epochMs(value: number): number {
  return Math.max(0, Math.trunc(finite(value)));
}

function epochSeconds(value: number): number {
  return Math.floor(epochMs(value) / 1000);
}

function storedEvent(row: EventRow): StoredRow {
  return {
    event_id: row.event_id,
    site: row.site,
    type: row.type,
    visitor_id: row.visitor_id,
    session_id: row.session_id,
    time: epochSeconds(row.time),
    time_ms: epochMs(row.time),
    received_at: epochSeconds(row.received_at),
    received_at_ms: epochMs(row.received_at),
    url: row.url,
    product_id: row.product_id,
    category: row.category,
    search_query: row.search_query,
    value: finite(row.value),
    props: row.props,
  };
}

function storedTrigger(row: TriggerRow): StoredRow {
  return {
    trigger_id: row.trigger_id,
    site: row.site,
    scenario_id: row.scenario_id,
    variant: row.variant,
    channel: row.channel,
    status: row.status,
    reason: row.reason,
    visitor_id: row.visitor_id,
    event_id: row.event_id,
    time: epochSeconds(row.time),
    time_ms: epochMs(row.time),
    context: row.context,
  };
}

function storedDelivery(row: DeliveryRow): StoredRow {
  return {
    delivery_id: row.delivery_id,
    trigger_id: row.trigger_id,
    site: row.site,
    scenario_id: row.scenario_id,
    channel: row.channel,
    status: row.status,
    detail: row.detail,
    visitor_id: row.visitor_id,
    time: epochSeconds(row.time),
    time_ms: epochMs(row.time),
  };
}

function storedConversion(row: ConversionRow): StoredRow {
  return {
    site: row.site,
    order_id: row.order_id,
    event_id: row.event_id,
    visitor_id: row.visitor_id,
    value: finite(row.value),
    items: Math.max(0, Math.trunc(finite(row.items))),
    trigger_id: row.trigger_id,
    time: epochSeconds(row.time),
    time_ms: epochMs(row.time),
  };
}

const STORERS: { [T in WarehouseTable]: (row: WarehouseRows[T]) => StoredRow } = {
  events: storedEvent,
  triggers: storedTrigger,
  deliveries: storedDelivery,
  conversions: storedConversion,
};

export function toStoredRow<T extends WarehouseTable>(table: T, row: WarehouseRows[T]): StoredRow {
  return STORERS[table](row);
}

/** A batch as JSONEachRow text: one JSON object per line. */
export function toJsonEachRow<T extends WarehouseTable>(table: T, rows: readonly WarehouseRows[T][]): string {
  let body = '';
  for (const row of rows) body += `${JSON.stringify(toStoredRow(table, row))}\n`;
  return body;
}
