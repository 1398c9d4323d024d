import type { WarehouseBackend } from '../warehouse.js';
import { sqlNumber, sqlString } from '../schema/index.js';

/** Who a retargeting list looks at: the `days` before `asOf` (epoch ms), on one site or all. */
export interface AudienceWindow {
  site?: string;
  /** End of the window, exclusive; default now. */
  asOf?: number;
  /** Length of the window in days; default 7. */
  days?: number;
}

export interface CategoryViewerRow {
  site: string;
  visitor_id: string;
  /** Email from the visitor's latest verified identify, or empty when none. */
  email: string;
  views: number;
  last_viewed_at: string;
}

export interface CartAbandonerRow {
  site: string;
  visitor_id: string;
  email: string;
  cart_adds: number;
  /** Products added, sorted. */
  products: string[];
  cart_value: number;
  last_cart_at: string;
}

const DAY_MS = 86_400_000;

function bounds(window: AudienceWindow, now: number): { since: number; until: number } {
  const until = Math.ceil(window.asOf ?? now);
  return { since: until - Math.max(1, window.days ?? 7) * DAY_MS, until };
}

function within(since: number, until: number): string {
  return `time >= toDateTime(${sqlNumber(Math.floor(since / 1000))}) AND time_ms >= ${sqlNumber(since)} AND time_ms < ${sqlNumber(until)}`;
}

function onSite(site: string | undefined): string {
  return site === undefined ? '' : ` AND site = ${sqlString(site)}`;
}

/**
 * The email each visitor gave last, before `until`, in an identify the site signed (the gateway
 * stores `verified`, and it and `email` lead the props, so visitParam's first match is the
 * engine's, not a nested client field). Anyone can type a stranger's address into a form: an
 * unverified address is never exported, as it is never mailed.
 */
function identities(site: string | undefined, until: number): string {
  return `SELECT site, visitor_id, argMax(visitParamExtractString(props, 'email'), time_ms) AS email
    FROM {events}
    WHERE type = 'identify' AND visitParamExtractBool(props, 'verified') = 1 AND time_ms < ${sqlNumber(until)}${onSite(site)}
    GROUP BY site, visitor_id`;
}

/** Visitors who viewed category X (its page or one of its products) in the window and placed no order in it. */
export function categoryViewersSql(category: string, window: AudienceWindow, now: number): string {
  const { since, until } = bounds(window, now);
  return `SELECT site, visitor_id, email, views, toString(toDateTime(intDiv(last_viewed_ms, 1000), 'UTC')) AS last_viewed_at
FROM (
  SELECT site, visitor_id, count() AS views, max(time_ms) AS last_viewed_ms
  FROM {events}
  WHERE type IN ('category', 'product') AND category = ${sqlString(category)} AND ${within(since, until)}${onSite(window.site)}
    AND (site, visitor_id) NOT IN (SELECT site, visitor_id FROM {conversions} WHERE ${within(since, until)}${onSite(window.site)})
  GROUP BY site, visitor_id
) AS viewers ALL LEFT JOIN (
  ${identities(window.site, until)}
) AS known USING (site, visitor_id)
ORDER BY last_viewed_ms DESC, visitor_id`;
}

/** Identified visitors who added to cart in the window and have not ordered since their last cart add. */
export function cartAbandonersSql(window: AudienceWindow, now: number): string {
  const { since, until } = bounds(window, now);
  return `SELECT site, visitor_id, email, cart_adds, products, cart_value, toString(toDateTime(intDiv(last_cart_ms, 1000), 'UTC')) AS last_cart_at
FROM (
  SELECT site, visitor_id, cart_adds, products, cart_value, last_cart_ms, email
  FROM (
    SELECT site, visitor_id, count() AS cart_adds, arraySort(groupUniqArray(product_id)) AS products,
      round(sum(value), 2) AS cart_value, max(time_ms) AS last_cart_ms
    FROM {events}
    WHERE type = 'cart_add' AND ${within(since, until)}${onSite(window.site)}
    GROUP BY site, visitor_id
  ) AS carts ALL INNER JOIN (
    ${identities(window.site, until)}
  ) AS known USING (site, visitor_id)
  WHERE email != ''
) AS identified_carts ALL LEFT JOIN (
  SELECT site, visitor_id, max(time_ms) AS last_order_ms
  FROM {conversions}
  WHERE time_ms < ${sqlNumber(until)}${onSite(window.site)}
  GROUP BY site, visitor_id
) AS orders USING (site, visitor_id)
WHERE last_order_ms < last_cart_ms
ORDER BY last_cart_ms DESC, visitor_id`;
}

export function categoryViewers(backend: WarehouseBackend, category: string, window: AudienceWindow = {}, now = Date.now()): Promise<CategoryViewerRow[]> {
  return backend.query<CategoryViewerRow>(categoryViewersSql(category, window, now));
}

export function cartAbandoners(backend: WarehouseBackend, window: AudienceWindow = {}, now = Date.now()): Promise<CartAbandonerRow[]> {
  return backend.query<CartAbandonerRow>(cartAbandonersSql(window, now));
}
