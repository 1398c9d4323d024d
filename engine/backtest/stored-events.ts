import { eventFromRow, type StoredEvent } from '../pipeline/index.js';
import type { TrackedEvent } from '../events/index.js';
import { sqlNumber, sqlString, type WarehouseBackend } from '../warehouse/index.js';

export interface EventRange {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  site?: string;
}

/**
 * The stored events of a range in time order, a page at a time (keyset pagination on
 * time_ms, event_id), so a week of a busy site never has to fit in memory at once.
 */
export async function* storedEvents(warehouse: WarehouseBackend, range: EventRange, pageSize = 50_000): AsyncGenerator<TrackedEvent> {
  let after: { time: number; id: string } | undefined;
  for (;;) {
    const conditions = [
      `time >= toDateTime(${sqlNumber(Math.floor(range.from / 1000))})`,
      `time_ms >= ${sqlNumber(range.from)}`,
      `time_ms < ${sqlNumber(range.to)}`,
    ];
    if (range.site !== undefined) conditions.push(`site = ${sqlString(range.site)}`);
    if (after !== undefined) {
      conditions.push(`(time_ms > ${sqlNumber(after.time)} OR (time_ms = ${sqlNumber(after.time)} AND event_id > ${sqlString(after.id)}))`);
    }
    const rows = await warehouse.query<StoredEvent>(
      `SELECT site, visitor_id, session_id, event_id, type, time_ms, received_at_ms, url, product_id, category, search_query, props
       FROM {events} WHERE ${conditions.join(' AND ')} ORDER BY time_ms, event_id LIMIT ${pageSize}`,
    );
    for (const row of rows) yield eventFromRow(row);
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    after = { time: Number(last.time_ms), id: last.event_id };
  }
}
