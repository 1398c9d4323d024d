import { TripwireError } from '../../errors.js';
import { parseDuration } from '../../events/index.js';
import type { WarehouseBackend } from '../warehouse.js';
import { cartAbandoners, categoryViewers, type AudienceSuppressions } from './audiences.js';
import { funnelByDay } from './funnel.js';
import { runQuery, type QueryRange } from './query.js';
import { DEFAULT_ATTRIBUTION_WINDOW_MS, scenarioKpis } from './scenario-kpis.js';
import { eventsPerMinute, eventsPerType, popinsShownPerScenario } from './traffic.js';

/** Parameters as the CLI (`--name value`) and the HTTP API (`?name=value`) receive them. */
export type QueryParams = Readonly<Record<string, string | undefined>>;

export interface QueryParameter {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
}

/** A query that ships: the same name, parameters and rows from the CLI, the HTTP API and the dashboard. */
export interface ShippedQuery {
  readonly name: string;
  readonly description: string;
  readonly parameters: readonly QueryParameter[];
  /** Column order, for CSV headers even when no row comes back. */
  readonly columns: readonly string[];
  /** True for the audiences, which leave out the mailer's suppression list: the others never read it. */
  readonly readsSuppressions?: true;
  /** `suppressions`: the mailer's suppression list, which audiences leave out (see audiences.ts). */
  run(backend: WarehouseBackend, params: QueryParams, now: number, suppressions: AudienceSuppressions): Promise<object[]>;
}

const SITE: QueryParameter = { name: 'site', description: 'only this site key' };
const FROM: QueryParameter = { name: 'from', description: 'start, inclusive: YYYY-MM-DD (UTC), an ISO date-time with its offset or epoch ms' };
const TO: QueryParameter = { name: 'to', description: 'end, exclusive: YYYY-MM-DD (UTC), an ISO date-time with its offset or epoch ms' };
const DAYS: QueryParameter = { name: 'days', description: 'length of the look-back window in days (default 7)' };
const AS_OF: QueryParameter = { name: 'as-of', description: 'end of the look-back window (default now)' };

function invalid(message: string): TripwireError {
  return new TripwireError('TW_QUERY_INVALID', message);
}

/**
 * The times the warehouse can hold: its `time` columns are ClickHouse DateTime, seconds in a UInt32.
 * A bound outside would reach SQL as `1e+23` or wrap around, and ClickHouse's refusal names neither.
 */
const LATEST_TIME_MS = 4_294_967_295_000;

// ISO 8601 extended forms only; a year of more than four digits carries its sign, as ISO asks.
const YEAR = '([+-]\\d{6}|\\d{4})';
const DAY = new RegExp(`^${YEAR}-(\\d{2})-(\\d{2})$`);
const DATE_TIME = new RegExp(`^${YEAR}-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,3}))?)?(Z|([+-])(\\d{2}):(\\d{2}))$`);
const EPOCH_MS = /^\d{10,}$/;
const FORMS = 'write a UTC day (2025-03-14), a date-time with its offset (2025-03-14T09:30:00Z, 2025-03-14T10:30:00+01:00) or epoch milliseconds';

/**
 * The instant the fields name, or NaN when they name none (February 30th, 24:30). Built with
 * setUTCFullYear, as Date.UTC would take the years 0 to 99 for 1900 to 1999.
 */
function instant(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  const exact =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day &&
    date.getUTCHours() === hour && date.getUTCMinutes() === minute && date.getUTCSeconds() === second;
  return exact ? date.getTime() : Number.NaN;
}

/** A year the warehouse cannot hold, as a time the range check refuses whatever the rest says. */
function outsideWarehouseYears(year: number): number | undefined {
  if (year < 1970) return Number.NEGATIVE_INFINITY;
  if (year > 2106) return Number.POSITIVE_INFINITY;
  return undefined;
}

/** The one reading of a time the CLI and the HTTP API take; NaN for any other form. */
function readTime(text: string): number {
  if (EPOCH_MS.test(text)) return Number(text);
  const day = DAY.exec(text);
  if (day) return outsideWarehouseYears(Number(day[1])) ?? instant(Number(day[1]), Number(day[2]), Number(day[3]));
  const at = DATE_TIME.exec(text);
  if (!at) return Number.NaN;
  const [, year, month, date, hour, minute, second = '0', fraction = '0', , sign, offsetHours, offsetMinutes] = at;
  const outside = outsideWarehouseYears(Number(year));
  if (outside !== undefined) return outside;
  const asWritten = instant(Number(year), Number(month), Number(date), Number(hour), Number(minute), Number(second), Number(fraction.padEnd(3, '0')));
  // No sign: the time was written in UTC (Z).
  if (sign === undefined) return asWritten;
  if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return Number.NaN;
  return asWritten - (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
}

/**
 * A time parameter, read strictly: a UTC day, an ISO 8601 date-time with its offset (without
 * one it would silently be read in the engine's zone) or epoch milliseconds, from 1970-01-01 to
 * 2106-02-07. Used by the query API, `tripwire query` and `tripwire backtest` alike.
 */
export function parseTime(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const time = readTime(text);
  if (Number.isNaN(time)) throw invalid(`${name} "${text.slice(0, 40)}" is not a time; ${FORMS}.`);
  if (time < 0 || time > LATEST_TIME_MS) {
    throw invalid(`${name} "${text.slice(0, 40)}" is out of range; the warehouse holds times from 1970-01-01 to 2106-02-07T06:28:15Z (epoch milliseconds 0 to ${LATEST_TIME_MS}).`);
  }
  return time;
}

/**
 * `from` and `to`, each optional, parsed with parseTime; the start must come before the end. Its
 * messages name parameters bare, as the CLI (`--from`) and the HTTP API (`?from=`) both call them.
 */
export function parseTimeRange(fromText: string | undefined, toText: string | undefined): { from?: number; to?: number } {
  const from = parseTime('from', fromText);
  const to = parseTime('to', toText);
  if (from !== undefined && to !== undefined && from >= to) {
    throw invalid(`from "${fromText}" must be before to "${toText}": the range takes times from its start up to, not including, its end.`);
  }
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}

/** parseTimeRange where both bounds are needed, as a backtest's (CLI and HTTP API). */
export function parseRequiredTimeRange(fromText: string | undefined, toText: string | undefined): { from: number; to: number } {
  const { from, to } = parseTimeRange(fromText, toText);
  if (from === undefined) throw invalid('from is required: the first time to include, e.g. 2026-11-01.');
  if (to === undefined) throw invalid('to is required: the first time past the range, e.g. 2026-11-08 for a range ending on the 7th.');
  return { from, to };
}

function range(params: QueryParams): QueryRange {
  return { ...(params.site ? { site: params.site } : {}), ...parseTimeRange(params.from, params.to) };
}

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw invalid(`${name} "${text}" is not a positive whole number.`);
  return value;
}

function required(name: string, text: string | undefined): string {
  if (text === undefined || text === '') throw invalid(`${name} is required.`);
  return text;
}

export const SHIPPED_QUERIES: readonly ShippedQuery[] = [
  {
    name: 'scenario-kpis',
    description: 'per scenario and A/B variant: fired, suppressed by reason, delivered, stopped at delivery, click/open rates, attributed conversions and revenue, uplift vs control',
    parameters: [SITE, FROM, TO, { name: 'window', description: 'attribution window after a trigger, e.g. 24h or 7d (default 7d)' }],
    columns: [
      'scenario_id', 'variant', 'decisions', 'fired', 'suppressed', 'suppressed_cooldown', 'suppressed_cap', 'suppressed_priority',
      'suppressed_consent', 'held_out', 'delivered', 'stopped_at_delivery', 'popin_shown', 'popin_clicked', 'popin_click_rate', 'emails_sent',
      'emails_opened', 'emails_clicked', 'email_open_rate', 'email_click_rate', 'visitors', 'converted_visitors',
      'conversion_rate', 'conversions', 'revenue', 'control_conversion_rate', 'uplift',
    ],
    run: (backend, params) => {
      const window = params.window === undefined || params.window === '' ? DEFAULT_ATTRIBUTION_WINDOW_MS : parseDuration(params.window);
      if (window === undefined) throw invalid(`window "${params.window}" is not a duration; write e.g. 24h or 7d.`);
      return scenarioKpis(backend, { ...range(params), attributionWindowMs: window });
    },
  },
  {
    name: 'funnel',
    description: 'view → cart → checkout → purchase, visitors per UTC day and step rates',
    parameters: [SITE, FROM, TO],
    columns: ['day', 'viewed', 'carted', 'checked_out', 'purchased', 'cart_rate', 'checkout_rate', 'purchase_rate', 'conversion_rate'],
    run: (backend, params) => funnelByDay(backend, range(params)),
  },
  {
    name: 'audience-category-viewers',
    description: 'retargeting: visitors who viewed a category (or its products) in the last N days and did not buy; email only when consented and not suppressed',
    parameters: [{ name: 'category', description: 'category id, as the tracker sends it', required: true }, DAYS, AS_OF, SITE],
    columns: ['site', 'visitor_id', 'email', 'views', 'last_viewed_at'],
    readsSuppressions: true,
    run: (backend, params, now, suppressions) =>
      categoryViewers(
        backend,
        suppressions,
        required('category', params.category),
        { ...(params.site ? { site: params.site } : {}), days: positiveInteger('days', params.days, 7), asOf: parseTime('as-of', params['as-of']) ?? now },
        now,
      ),
  },
  {
    name: 'audience-cart-abandoners',
    description: 'retargeting: identified visitors, consenting to email and not suppressed, who added to cart in the last N days and have not bought since',
    parameters: [DAYS, AS_OF, SITE],
    columns: ['site', 'visitor_id', 'email', 'cart_adds', 'products', 'cart_value', 'last_cart_at'],
    readsSuppressions: true,
    run: (backend, params, now, suppressions) =>
      cartAbandoners(
        backend,
        suppressions,
        { ...(params.site ? { site: params.site } : {}), days: positiveInteger('days', params.days, 7), asOf: parseTime('as-of', params['as-of']) ?? now },
        now,
      ),
  },
  {
    name: 'events-per-type',
    description: 'events and distinct visitors per UTC day and event type',
    parameters: [SITE, FROM, TO],
    columns: ['day', 'type', 'events', 'visitors'],
    run: (backend, params) => runQuery(backend, eventsPerType(range(params))),
  },
  {
    name: 'popins-per-scenario',
    description: 'pop-ins shown and clicked per scenario',
    parameters: [SITE, FROM, TO],
    columns: ['scenario_id', 'shown', 'clicked', 'visitors'],
    run: (backend, params) => runQuery(backend, popinsShownPerScenario(range(params))),
  },
  {
    name: 'events-per-minute',
    description: 'events received per minute (default: the last hour)',
    parameters: [SITE, FROM, TO],
    columns: ['minute', 'events'],
    run: (backend, params, now) => {
      const given = range(params);
      return runQuery(backend, eventsPerMinute({ ...given, from: given.from ?? now - 3_600_000 }));
    },
  },
];

export function shippedQuery(name: string | undefined): ShippedQuery {
  const query = SHIPPED_QUERIES.find((candidate) => candidate.name === name);
  if (query === undefined) {
    throw invalid(`Unknown query "${name ?? ''}". Queries: ${SHIPPED_QUERIES.map((candidate) => candidate.name).join(', ')}.`);
  }
  return query;
}

/** Refuses parameters a query does not take: a typo must not silently widen a retargeting list. */
export function checkParameters(query: ShippedQuery, params: QueryParams): void {
  for (const name of Object.keys(params)) {
    if (params[name] === undefined) continue;
    if (!query.parameters.some((parameter) => parameter.name === name)) {
      throw invalid(`${query.name} takes no parameter "${name}"; it takes ${query.parameters.map((parameter) => parameter.name).join(', ')}.`);
    }
  }
}
