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

/** The columns events are ordered and paged by: unique, as a catalogue fan-out gives one event id to many visitors. */
const KEY = ['time_ms', 'site', 'visitor_id', 'event_id'] as const;
type Key = { [Column in (typeof KEY)[number]]: Column extends 'time_ms' ? number : string };

function literal(value: string | number): string {
  return typeof value === 'number' ? sqlNumber(value) : sqlString(value);
}

/** Rows after `after` in KEY order, spelt out column by column: 18.16 has no tuple comparison. */
function afterKey(after: Key, from = 0): string {
  const column = KEY[from]!;
  const value = literal(after[column]);
  if (from === KEY.length - 1) return `${column} > ${value}`;
  return `(${column} > ${value} OR (${column} = ${value} AND ${afterKey(after, from + 1)}))`;
}

/**
 * The stored events of a range in time order, a page at a time (keyset pagination on
 * time_ms, site, visitor_id, event_id), so a week of a busy site never has to fit in memory at once.
 */
export async function* storedEvents(warehouse: WarehouseBackend, range: EventRange, pageSize = 50_000): AsyncGenerator<TrackedEvent> {
  let after: Key | undefined;
  for (;;) {
    const conditions = [
      `time >= toDateTime(${sqlNumber(Math.floor(range.from / 1000))})`,
      `time_ms >= ${sqlNumber(range.from)}`,
      `time_ms < ${sqlNumber(range.to)}`,
    ];
    if (range.site !== undefined) conditions.push(`site = ${sqlString(range.site)}`);
    if (after !== undefined) conditions.push(afterKey(after));
    const rows = await warehouse.query<StoredEvent>(
      `SELECT site, visitor_id, session_id, event_id, type, time_ms, received_at_ms, url, product_id, category, search_query, props
       FROM {events} WHERE ${conditions.join(' AND ')} ORDER BY ${KEY.join(', ')} LIMIT ${pageSize}`,
    );
    for (const row of rows) yield eventFromRow(row);
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    after = { time_ms: Number(last.time_ms), site: last.site, visitor_id: last.visitor_id, event_id: last.event_id };
  }
}
