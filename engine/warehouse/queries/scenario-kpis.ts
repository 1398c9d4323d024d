import type { WarehouseBackend } from '../warehouse.js';
import { sqlNumber } from '../schema/index.js';
import { rangeConditions, rate, where, type QueryRange } from './query.js';

/** Default attribution window: an order counts for a trigger when placed within 7 days after it. */
export const DEFAULT_ATTRIBUTION_WINDOW_MS = 7 * 86_400_000;

export interface ScenarioKpiOptions extends QueryRange {
  /** How long after a trigger an order is attributed to it. Default 7 days. */
  attributionWindowMs?: number;
}

/** Orders attributed to some fired trigger, each counted once however many scenarios it followed. */
export interface AttributedOrders {
  orders: number;
  revenue: number;
}

/** One row per scenario and arm: each A/B variant, and `control` for the held-out group. */
export interface ScenarioKpiRow {
  scenario_id: string;
  variant: string;
  /** Decisions recorded (fired, suppressed and held out). */
  decisions: number;
  fired: number;
  /** Suppressed by a policy (cooldown, cap, priority, consent); the control group is not counted here. */
  suppressed: number;
  suppressed_cooldown: number;
  suppressed_cap: number;
  suppressed_priority: number;
  suppressed_consent: number;
  /** Triggers withheld because the visitor is in the control group. */
  held_out: number;
  /** Triggers whose message reached the visitor: pop-in shown, or email sent. */
  delivered: number;
  /**
   * Fired triggers whose delivery was stopped (a `suppressed` delivery) and never delivered: the
   * address on the suppression list, or a retried delivery stopped by a withdrawn consent, a
   * visitor filter no longer met, or a reload that removed the variant. Still counted in `fired`.
   */
  stopped_at_delivery: number;
  popin_shown: number;
  popin_clicked: number;
  popin_click_rate: number;
  emails_sent: number;
  emails_opened: number;
  emails_clicked: number;
  email_open_rate: number;
  email_click_rate: number;
  /** Distinct visitors exposed: fired at, or held out for the control row. */
  visitors: number;
  /** Of those, visitors who ordered within the attribution window after a trigger. */
  converted_visitors: number;
  conversion_rate: number;
  /** Distinct orders placed within the attribution window after a trigger of this arm. */
  conversions: number;
  revenue: number;
  /** The scenario's control group conversion rate; null without a control group (not measured, not zero). */
  control_conversion_rate: number | null;
  /** conversion_rate − control_conversion_rate, in rate points; 0 for the control row itself, null without a control group. */
  uplift: number | null;
}

interface DecisionCounts {
  scenario_id: string;
  arm: string;
  decisions: number;
  fired: number;
  suppressed: number;
  suppressed_cooldown: number;
  suppressed_cap: number;
  suppressed_priority: number;
  suppressed_consent: number;
  held_out: number;
  visitors: number;
  delivered: number;
  stopped_at_delivery: number;
  popin_shown: number;
  popin_clicked: number;
  emails_sent: number;
  emails_opened: number;
  emails_clicked: number;
}

interface ConversionCounts {
  scenario_id: string;
  arm: string;
  converted_visitors: number;
  conversions: number;
  revenue: number;
}

// The held-out group is its own arm whatever variant it was drawn from.
const ARM = `if(reason = 'control', 'control', variant)`;

/** Decisions and delivery outcomes per scenario and arm; a trigger counts once per outcome however often it was reported. */
export function decisionCountsSql(options: ScenarioKpiOptions): string {
  const since = options.from === undefined ? '' : `WHERE time_ms >= ${sqlNumber(Math.ceil(options.from))}`;
  return `SELECT scenario_id, arm,
  count() AS decisions,
  countIf(status = 'fired') AS fired,
  countIf(status = 'suppressed' AND reason != 'control') AS suppressed,
  countIf(reason = 'cooldown') AS suppressed_cooldown,
  countIf(reason = 'cap') AS suppressed_cap,
  countIf(reason = 'priority') AS suppressed_priority,
  countIf(reason = 'consent') AS suppressed_consent,
  countIf(reason = 'control') AS held_out,
  uniqExactIf(visitor_id, status = 'fired' OR reason = 'control') AS visitors,
  sum(was_delivered) AS delivered,
  countIf(was_stopped AND NOT was_delivered) AS stopped_at_delivery,
  sum(was_shown) AS popin_shown,
  sum(was_clicked_popin) AS popin_clicked,
  sum(was_sent) AS emails_sent,
  sum(was_opened) AS emails_opened,
  sum(was_clicked_email) AS emails_clicked
FROM (
  SELECT trigger_id, scenario_id, ${ARM} AS arm, status, reason, visitor_id
  FROM {triggers}
  ${where(rangeConditions(options))}
) AS decided ALL LEFT JOIN (
  SELECT trigger_id,
    max((channel = 'popin' AND status IN ('shown', 'clicked')) OR (channel = 'email' AND status IN ('sent', 'opened', 'clicked'))) AS was_delivered,
    max(status = 'suppressed') AS was_stopped,
    max(channel = 'popin' AND status IN ('shown', 'clicked')) AS was_shown,
    max(channel = 'popin' AND status = 'clicked') AS was_clicked_popin,
    max(channel = 'email' AND status IN ('sent', 'opened', 'clicked')) AS was_sent,
    max(channel = 'email' AND status IN ('opened', 'clicked')) AS was_opened,
    max(channel = 'email' AND status = 'clicked') AS was_clicked_email
  FROM {deliveries}
  ${since}
  GROUP BY trigger_id
) AS delivered USING (trigger_id)
GROUP BY scenario_id, arm
ORDER BY scenario_id, arm`;
}

/**
 * Orders placed by exposed visitors (fired at, or held out) within the window after an exposure.
 * An order counts once per scenario and arm, even when several triggers preceded it.
 */
export function attributedConversionsSql(options: ScenarioKpiOptions): string {
  const exposures = [...rangeConditions(options), `(status = 'fired' OR reason = 'control')`];
  return `SELECT scenario_id, arm, uniqExact(visitor_id) AS converted_visitors, count() AS conversions, sum(value) AS revenue
FROM (
  SELECT DISTINCT scenario_id, arm, visitor_id, order_id, value
  ${ordersAfterExposures(options, exposures)}
)
GROUP BY scenario_id, arm`;
}

/**
 * Orders attributed to any fired trigger in the range, each counted once: an order that followed
 * triggers of two scenarios counts for both in scenario-kpis, but is one order of the shop.
 */
export function attributedOrdersSql(options: ScenarioKpiOptions): string {
  const exposures = [...rangeConditions(options), `status = 'fired'`];
  return `SELECT count() AS orders, sum(value) AS revenue
FROM (
  SELECT DISTINCT site, visitor_id, order_id, value
  ${ordersAfterExposures(options, exposures)}
)`;
}

/** The attributed orders and their revenue, over all scenarios and variants (not the control group). */
export async function attributedOrders(backend: WarehouseBackend, options: ScenarioKpiOptions = {}): Promise<AttributedOrders> {
  const [row] = await backend.query<{ orders: number | string; revenue: number | string }>(attributedOrdersSql(options));
  return { orders: Number(row?.orders ?? 0), revenue: Math.round(Number(row?.revenue ?? 0) * 100) / 100 };
}

/** The FROM and WHERE of an exposure joined to the orders its visitor placed within the window after it. */
function ordersAfterExposures(options: ScenarioKpiOptions, exposures: readonly string[]): string {
  const window = Math.max(0, Math.round(options.attributionWindowMs ?? DEFAULT_ATTRIBUTION_WINDOW_MS));
  const orders: string[] = [];
  if (options.site !== undefined) orders.push(...rangeConditions({ site: options.site }));
  if (options.from !== undefined) orders.push(`time_ms >= ${sqlNumber(Math.ceil(options.from))}`);
  if (options.to !== undefined) orders.push(`time_ms < ${sqlNumber(Math.ceil(options.to) + window)}`);
  return `FROM (
    SELECT site, visitor_id, scenario_id, ${ARM} AS arm, time_ms AS exposed_ms
    FROM {triggers}
    ${where(exposures)}
  ) AS exposed ALL INNER JOIN (
    SELECT site, visitor_id, order_id, value, time_ms AS converted_ms
    FROM {conversions}
    ${where(orders)}
  ) AS ordered USING (site, visitor_id)
  WHERE converted_ms >= exposed_ms AND converted_ms <= exposed_ms + ${sqlNumber(window)}`;
}

/**
 * KPIs per scenario and A/B arm over a date range: decisions, suppressions by reason, deliveries,
 * pop-in and email rates, attributed conversions and revenue, and uplift against the control group.
 */
export async function scenarioKpis(backend: WarehouseBackend, options: ScenarioKpiOptions = {}): Promise<ScenarioKpiRow[]> {
  const [decisions, conversions] = await Promise.all([
    backend.query<DecisionCounts>(decisionCountsSql(options)),
    backend.query<ConversionCounts>(attributedConversionsSql(options)),
  ]);
  const converted = new Map(conversions.map((row) => [`${row.scenario_id}\u0000${row.arm}`, row]));
  const rows = decisions.map((row) => {
    const won = converted.get(`${row.scenario_id}\u0000${row.arm}`);
    const convertedVisitors = Number(won?.converted_visitors ?? 0);
    return {
      scenario_id: row.scenario_id,
      variant: row.arm,
      decisions: Number(row.decisions),
      fired: Number(row.fired),
      suppressed: Number(row.suppressed),
      suppressed_cooldown: Number(row.suppressed_cooldown),
      suppressed_cap: Number(row.suppressed_cap),
      suppressed_priority: Number(row.suppressed_priority),
      suppressed_consent: Number(row.suppressed_consent),
      held_out: Number(row.held_out),
      delivered: Number(row.delivered),
      stopped_at_delivery: Number(row.stopped_at_delivery),
      popin_shown: Number(row.popin_shown),
      popin_clicked: Number(row.popin_clicked),
      popin_click_rate: rate(Number(row.popin_clicked), Number(row.popin_shown)),
      emails_sent: Number(row.emails_sent),
      emails_opened: Number(row.emails_opened),
      emails_clicked: Number(row.emails_clicked),
      email_open_rate: rate(Number(row.emails_opened), Number(row.emails_sent)),
      email_click_rate: rate(Number(row.emails_clicked), Number(row.emails_sent)),
      visitors: Number(row.visitors),
      converted_visitors: convertedVisitors,
      conversion_rate: rate(convertedVisitors, Number(row.visitors)),
      conversions: Number(won?.conversions ?? 0),
      revenue: Math.round(Number(won?.revenue ?? 0) * 100) / 100,
      control_conversion_rate: null,
      uplift: null,
    } satisfies ScenarioKpiRow as ScenarioKpiRow;
  });
  const controlRate = new Map(rows.filter((row) => row.variant === 'control').map((row) => [row.scenario_id, row.conversion_rate]));
  for (const row of rows) {
    const control = controlRate.get(row.scenario_id);
    if (control === undefined) continue;
    row.control_conversion_rate = control;
    row.uplift = row.variant === 'control' ? 0 : Math.round((row.conversion_rate - control) * 10_000) / 10_000;
  }
  return rows;
}
