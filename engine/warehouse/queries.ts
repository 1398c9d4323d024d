import type { WarehouseBackend } from './warehouse.js';
import { sqlNumber, sqlString } from './schema/index.js';

/**
 * Named analyst queries, written once for every supported server (18.16 included: no query
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

export interface EventsPerTypeRow {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  type: string;
  events: number;
  visitors: number;
}

export interface PopinsShownRow {
  scenario_id: string;
  shown: number;
  clicked: number;
  /** Distinct visitors who were shown the pop-in. */
  visitors: number;
}

function rangeConditions(range: QueryRange): string[] {
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

function where(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
}

/** Events and distinct visitors per UTC day and event type. */
export function eventsPerType(range: QueryRange = {}): WarehouseQuery<EventsPerTypeRow> {
  return {
    name: 'events-per-type',
    sql: `SELECT toDate(time) AS day, type, count() AS events, uniqExact(visitor_id) AS visitors
FROM {events}
${where(rangeConditions(range))}
GROUP BY day, type
ORDER BY day, type`,
  };
}

/** Pop-ins shown and clicked per scenario, most shown first. */
export function popinsShownPerScenario(range: QueryRange = {}): WarehouseQuery<PopinsShownRow> {
  const conditions = [`channel = 'popin'`, `status IN ('shown', 'clicked')`, ...rangeConditions(range)];
  return {
    name: 'popins-shown-per-scenario',
    sql: `SELECT scenario_id, countIf(status = 'shown') AS shown, countIf(status = 'clicked') AS clicked,
  uniqExactIf(visitor_id, status = 'shown') AS visitors
FROM {deliveries}
${where(conditions)}
GROUP BY scenario_id
ORDER BY shown DESC, scenario_id`,
  };
}

export function runQuery<Row>(backend: WarehouseBackend, query: WarehouseQuery<Row>): Promise<Row[]> {
  return backend.query<Row>(query.sql);
}
