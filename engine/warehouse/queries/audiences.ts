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

/**
 * The addresses a site must not market to: the mailer's suppression list (unsubscribes, bounces,
 * complaints) satisfies it. It lives in Redis or a file, not in the warehouse, so audiences are
 * checked against it as they are exported.
 */
export interface AudienceSuppressions {
  list(site: string): Promise<ReadonlyArray<{ email: string }>>;
}

export interface CategoryViewerRow {
  site: string;
  visitor_id: string;
  /**
   * Email from the visitor's latest verified identify, or empty when none, when the visitor's
   * current email consent is not for that address, or when the address is suppressed.
   */
  email: string;
  views: number;
  last_viewed_at: string;
}

export interface CartAbandonerRow {
  site: string;
  visitor_id: string;
  /** Verified, currently consented to email, and not suppressed: a visitor without such an address is not listed. */
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

/**
 * Per visitor, the address their current email consent was given for, when it is granted. The
 * engine's profile binds an email consent to the address signed in when it was given, or, given
 * before any identify, to the first address identified after it (visitor-model.ts, hasConsent);
 * the same is read back here from the stored identify and consent events, so an export is
 * marketing only to people who said yes for that address and did not withdraw it. The consent's
 * own `email` leads its props (event-rows.ts), so visitParamExtractRaw reads the engine's value.
 */
function consents(site: string | undefined, until: number): string {
  return `SELECT site, visitor_id,
      if(countIf(identified_ms <= consent_ms) > 0,
        argMaxIf(address, identified_ms, identified_ms <= consent_ms),
        argMinIf(address, identified_ms, identified_ms > consent_ms)) AS consented_email
    FROM (
      SELECT site, visitor_id, max(time_ms) AS consent_ms, argMax(visitParamExtractRaw(props, 'email'), time_ms) AS granted
      FROM {events}
      WHERE type = 'consent' AND visitParamExtractRaw(props, 'email') IN ('true', 'false') AND time_ms < ${sqlNumber(until)}${onSite(site)}
      GROUP BY site, visitor_id
    ) AS latest_consent ALL INNER JOIN (
      SELECT site, visitor_id, time_ms AS identified_ms, lower(visitParamExtractString(props, 'email')) AS address
      FROM {events}
      WHERE type = 'identify' AND visitParamExtractString(props, 'email') != '' AND time_ms < ${sqlNumber(until)}${onSite(site)}
    ) AS addresses USING (site, visitor_id)
    WHERE granted = 'true'
    GROUP BY site, visitor_id`;
}

/** Visitors who viewed category X (its page or one of its products) in the window and placed no order in it. */
export function categoryViewersSql(category: string, window: AudienceWindow, now: number): string {
  const { since, until } = bounds(window, now);
  return `SELECT site, visitor_id, if(email != '' AND lower(email) = consented_email, email, '') AS email, views,
  toString(toDateTime(intDiv(last_viewed_ms, 1000), 'UTC')) AS last_viewed_at
FROM (
  SELECT site, visitor_id, email, views, last_viewed_ms
  FROM (
    SELECT site, visitor_id, count() AS views, max(time_ms) AS last_viewed_ms
    FROM {events}
    WHERE type IN ('category', 'product') AND category = ${sqlString(category)} AND ${within(since, until)}${onSite(window.site)}
      AND (site, visitor_id) NOT IN (SELECT site, visitor_id FROM {conversions} WHERE ${within(since, until)}${onSite(window.site)})
    GROUP BY site, visitor_id
  ) AS viewers ALL LEFT JOIN (
    ${identities(window.site, until)}
  ) AS known USING (site, visitor_id)
) AS known_viewers ALL LEFT JOIN (
  ${consents(window.site, until)}
) AS consented USING (site, visitor_id)
ORDER BY last_viewed_ms DESC, visitor_id`;
}

/**
 * Identified visitors, consenting to email for the address identified, who added to cart in the
 * window and have not ordered since their last cart add.
 */
export function cartAbandonersSql(window: AudienceWindow, now: number): string {
  const { since, until } = bounds(window, now);
  return `SELECT site, visitor_id, email, cart_adds, products, cart_value, toString(toDateTime(intDiv(last_cart_ms, 1000), 'UTC')) AS last_cart_at
FROM (
  SELECT site, visitor_id, cart_adds, products, cart_value, last_cart_ms, email
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
  ) AS known_carts ALL INNER JOIN (
    ${consents(window.site, until)}
  ) AS consented USING (site, visitor_id)
  WHERE lower(email) = consented_email
) AS identified_carts ALL LEFT JOIN (
  SELECT site, visitor_id, max(time_ms) AS last_order_ms
  FROM {conversions}
  WHERE time_ms < ${sqlNumber(until)}${onSite(window.site)}
  GROUP BY site, visitor_id
) AS orders USING (site, visitor_id)
WHERE last_order_ms < last_cart_ms
ORDER BY last_cart_ms DESC, visitor_id`;
}

/**
 * Audiences go to ad platforms and ESPs: marketing use. A viewer whose address is suppressed
 * stays in the list without it (an anonymous visitor id); a cart abandoner, listed for the
 * address, is left out.
 */
export async function categoryViewers(
  backend: WarehouseBackend,
  suppressions: AudienceSuppressions,
  category: string,
  window: AudienceWindow = {},
  now = Date.now(),
): Promise<CategoryViewerRow[]> {
  const rows = await backend.query<CategoryViewerRow>(categoryViewersSql(category, window, now));
  const suppressed = await suppressedAddresses(suppressions, rows);
  return rows.map((row) => (suppressed(row) ? { ...row, email: '' } : row));
}

export async function cartAbandoners(
  backend: WarehouseBackend,
  suppressions: AudienceSuppressions,
  window: AudienceWindow = {},
  now = Date.now(),
): Promise<CartAbandonerRow[]> {
  const rows = await backend.query<CartAbandonerRow>(cartAbandonersSql(window, now));
  const suppressed = await suppressedAddresses(suppressions, rows);
  return rows.filter((row) => !suppressed(row));
}

/** One list read per site in the rows; addresses compared trimmed and lowercased, as the list stores them. */
async function suppressedAddresses(
  suppressions: AudienceSuppressions,
  rows: ReadonlyArray<{ site: string; email: string }>,
): Promise<(row: { site: string; email: string }) => boolean> {
  const sites = [...new Set(rows.filter((row) => row.email !== '').map((row) => row.site))];
  const lists = await Promise.all(sites.map(async (site) => [site, new Set((await suppressions.list(site)).map((entry) => normal(entry.email)))] as const));
  const bySite = new Map(lists);
  return (row) => row.email !== '' && (bySite.get(row.site)?.has(normal(row.email)) ?? false);
}

function normal(email: string): string {
  return email.trim().toLowerCase();
}
