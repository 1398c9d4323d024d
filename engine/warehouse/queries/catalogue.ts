import { TripwireError } from '../../errors.js';
import { parseDuration } from '../../events/index.js';
import type { WarehouseBackend } from '../warehouse.js';
import { cartAbandoners, categoryViewers } from './audiences.js';
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
  run(backend: WarehouseBackend, params: QueryParams, now: number): Promise<object[]>;
}

const SITE: QueryParameter = { name: 'site', description: 'only this site key' };
const FROM: QueryParameter = { name: 'from', description: 'start, inclusive: YYYY-MM-DD (UTC), an ISO time or epoch ms' };
const TO: QueryParameter = { name: 'to', description: 'end, exclusive: YYYY-MM-DD (UTC), an ISO time or epoch ms' };
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

/** A time parameter: a UTC day, an ISO date-time or epoch milliseconds, from 1970-01-01 to 2106-02-07. */
export function parseTime(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const time = /^\d{10,}$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
  if (Number.isNaN(time)) throw invalid(`--${name} "${text}" is not a time; write 2025-03-14, 2025-03-14T09:30:00Z or epoch milliseconds.`);
  if (time < 0 || time > LATEST_TIME_MS) {
    throw invalid(`--${name} "${text.slice(0, 40)}" is out of range; the warehouse holds times from 1970-01-01 to 2106-02-07T06:28:15Z (epoch milliseconds 0 to ${LATEST_TIME_MS}).`);
  }
  return time;
}

function range(params: QueryParams): QueryRange {
  const from = parseTime('from', params.from);
  const to = parseTime('to', params.to);
  if (from !== undefined && to !== undefined && from >= to) throw invalid(`--from must be before --to.`);
  return { ...(params.site ? { site: params.site } : {}), ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw invalid(`--${name} "${text}" is not a positive whole number.`);
  return value;
}

function required(name: string, text: string | undefined): string {
  if (text === undefined || text === '') throw invalid(`--${name} is required.`);
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
      if (window === undefined) throw invalid(`--window "${params.window}" is not a duration; write e.g. 24h or 7d.`);
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
    description: 'retargeting: visitors who viewed a category (or its products) in the last N days and did not buy',
    parameters: [{ name: 'category', description: 'category id, as the tracker sends it', required: true }, DAYS, AS_OF, SITE],
    columns: ['site', 'visitor_id', 'email', 'views', 'last_viewed_at'],
    run: (backend, params, now) =>
      categoryViewers(
        backend,
        required('category', params.category),
        { ...(params.site ? { site: params.site } : {}), days: positiveInteger('days', params.days, 7), asOf: parseTime('as-of', params['as-of']) ?? now },
        now,
      ),
  },
  {
    name: 'audience-cart-abandoners',
    description: 'retargeting: identified visitors who added to cart in the last N days and have not bought since',
    parameters: [DAYS, AS_OF, SITE],
    columns: ['site', 'visitor_id', 'email', 'cart_adds', 'products', 'cart_value', 'last_cart_at'],
    run: (backend, params, now) =>
      cartAbandoners(
        backend,
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
