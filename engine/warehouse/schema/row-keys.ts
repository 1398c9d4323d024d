import type { WarehouseRows, WarehouseTable } from '../rows.js';

/**
 * What makes a row unique in its table: the identity an idempotent replay checks before
 * inserting a batch again. Event ids are unique per visitor. An order id is not unique per site:
 * a repeat of an order by another visitor is stored (ConversionRow), so a conversion is its
 * order, its visitor and the purchase event that reported it.
 */
export interface RowIdentity<T extends WarehouseTable> {
  /** Columns whose values, together, identify a row. */
  readonly columns: readonly string[];
  /** The most selective of them, used in `IN (...)` lookups. */
  readonly lookup: string;
  key(row: WarehouseRows[T]): string;
}

const SEPARATOR = '\u0000';

/**
 * The identity of a resent event's row, where it differs: the pipeline writes one conversion per
 * order and visitor, so a resent purchase's conversion is stored already when its order is, even
 * under another event id (the first purchase event to report it).
 */
export const RESENT_ROW_IDENTITIES: { readonly [T in WarehouseTable]?: RowIdentity<T> } = {
  conversions: {
    columns: ['site', 'order_id', 'visitor_id'],
    lookup: 'order_id',
    key: (row) => [row.site, row.order_id, row.visitor_id].join(SEPARATOR),
  },
};

export const ROW_IDENTITIES: { readonly [T in WarehouseTable]: RowIdentity<T> } = {
  events: { columns: ['visitor_id', 'event_id'], lookup: 'event_id', key: (row) => `${row.visitor_id}${SEPARATOR}${row.event_id}` },
  triggers: { columns: ['trigger_id'], lookup: 'trigger_id', key: (row) => row.trigger_id },
  deliveries: { columns: ['delivery_id'], lookup: 'delivery_id', key: (row) => row.delivery_id },
  conversions: {
    columns: ['site', 'order_id', 'visitor_id', 'event_id'],
    lookup: 'order_id',
    key: (row) => [row.site, row.order_id, row.visitor_id, row.event_id].join(SEPARATOR),
  },
};

/** The key of a stored row read back with the identity's columns. */
export function storedKey(identity: RowIdentity<WarehouseTable>, stored: Record<string, unknown>): string {
  return identity.columns.map((column) => String(stored[column] ?? '')).join(SEPARATOR);
}
