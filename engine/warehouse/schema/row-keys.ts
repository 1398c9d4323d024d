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
