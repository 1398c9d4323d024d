import type { WarehouseBackend } from '../warehouse.js';
import { sqlNumber, sqlString } from '../schema/index.js';

/**
 * A named analyst query, written once for every supported server (18.16 included: no query
 * parameters, so values are escaped literals). Days are UTC days.
 */
export interface WarehouseQuery<Row> {
  readonly name: string;
  /** SQL with `{events}`-style table placeholders, for WarehouseBackend.query. */
  readonly sql: string;
  /** Type marker only; never set. */
  readonly row?: Row;
}

/** Which rows a query looks at. Times are epoch ms: `from` inclusive, `to` exclusive. */
export interface QueryRange {
  site?: string;
  from?: number;
  to?: number;
}

/** Conditions on `site`, `time` and `time_ms` for a range. */
export function rangeConditions(range: QueryRange): string[] {
  const conditions: string[] = [];
  if (range.site !== undefined) conditions.push(`site = ${sqlString(range.site)}`);
  // The coarse DateTime bound lets ClickHouse skip partitions; time_ms makes the bound exact.
  if (range.from !== undefined) {
    conditions.push(`time >= toDateTime(${sqlNumber(Math.floor(range.from / 1000))})`);
    conditions.push(`time_ms >= ${sqlNumber(Math.ceil(range.from))}`);
  }
  if (range.to !== undefined) {
    conditions.push(`time <= toDateTime(${sqlNumber(Math.floor(range.to / 1000))})`);
    conditions.push(`time_ms < ${sqlNumber(Math.ceil(range.to))}`);
  }
  return conditions;
}

export function where(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
}

export function runQuery<Row>(backend: WarehouseBackend, query: WarehouseQuery<Row>): Promise<Row[]> {
  return backend.query<Row>(query.sql);
}

/** A share, rounded to 4 decimals; 0 when nothing was counted (no division by zero in reports). */
export function rate(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0;
}
