import { sqlNumber } from '../schema/index.js';
import { rangeConditions, where, type QueryRange, type WarehouseQuery } from './query.js';

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

export interface EventsPerMinuteRow {
  /** Start of the UTC minute, "YYYY-MM-DD hh:mm:00". */
  minute: string;
  events: number;
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
    name: 'popins-per-scenario',
    sql: `SELECT scenario_id, countIf(status = 'shown') AS shown, countIf(status = 'clicked') AS clicked,
  uniqExactIf(visitor_id, status = 'shown') AS visitors
FROM {deliveries}
${where(conditions)}
GROUP BY scenario_id
ORDER BY shown DESC, scenario_id`,
  };
}

/** Events received per minute (by arrival time): the live event rate. Minutes without events are absent. */
export function eventsPerMinute(range: QueryRange = {}): WarehouseQuery<EventsPerMinuteRow> {
  const conditions: string[] = [];
  if (range.site !== undefined) conditions.push(...rangeConditions({ site: range.site }));
  if (range.from !== undefined) conditions.push(`received_at >= toDateTime(${sqlNumber(Math.floor(range.from / 1000))})`);
  if (range.to !== undefined) conditions.push(`received_at < toDateTime(${sqlNumber(Math.ceil(range.to / 1000))})`);
  return {
    name: 'events-per-minute',
    sql: `SELECT toString(toStartOfMinute(received_at)) AS minute, count() AS events
FROM {events}
${where(conditions)}
GROUP BY minute
ORDER BY minute`,
  };
}
