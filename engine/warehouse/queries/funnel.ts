import type { WarehouseBackend } from '../warehouse.js';
import { rangeConditions, rate, where, type QueryRange } from './query.js';

export interface FunnelDayRow {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** Visitors who viewed a product that day. */
  viewed: number;
  /** ...then added to cart, the same day. */
  carted: number;
  /** ...then began checkout. */
  checked_out: number;
  /** ...then bought. */
  purchased: number;
  cart_rate: number;
  checkout_rate: number;
  purchase_rate: number;
  /** purchased / viewed. */
  conversion_rate: number;
}

/**
 * view → cart → checkout → purchase per UTC day. A visitor counts at a step only after the steps
 * before it, in that order, within the day (windowFunnel): buying without a product view is not
 * part of this funnel. The funnel's clock is the millisecond within the UTC day: steps in the same
 * second keep their order, where whole seconds left it to each server version (18.16 and current
 * releases ordered ties differently). UInt32, because 18.16's windowFunnel takes only DateTime or
 * UInt32, and a day's 86,400,000 ms fit.
 */
export function funnelSql(range: QueryRange): string {
  const conditions = [...rangeConditions(range), `type IN ('product', 'cart_add', 'checkout', 'purchase')`];
  return `SELECT toString(day) AS day,
  countIf(level >= 1) AS viewed, countIf(level >= 2) AS carted, countIf(level >= 3) AS checked_out, countIf(level >= 4) AS purchased
FROM (
  SELECT toDate(time) AS day, visitor_id,
    windowFunnel(86400000)(toUInt32(time_ms % 86400000), type = 'product', type = 'cart_add', type = 'checkout', type = 'purchase') AS level
  FROM {events}
  ${where(conditions)}
  GROUP BY day, visitor_id
)
GROUP BY day
HAVING viewed > 0
ORDER BY day`;
}

export async function funnelByDay(backend: WarehouseBackend, range: QueryRange = {}): Promise<FunnelDayRow[]> {
  const rows = await backend.query<Pick<FunnelDayRow, 'day' | 'viewed' | 'carted' | 'checked_out' | 'purchased'>>(funnelSql(range));
  return rows.map((row) => {
    const [viewed, carted, checkedOut, purchased] = [row.viewed, row.carted, row.checked_out, row.purchased].map(Number) as [number, number, number, number];
    return {
      day: row.day,
      viewed,
      carted,
      checked_out: checkedOut,
      purchased,
      cart_rate: rate(carted, viewed),
      checkout_rate: rate(checkedOut, carted),
      purchase_rate: rate(purchased, checkedOut),
      conversion_rate: rate(purchased, viewed),
    };
  });
}
