import { sqlNumber, sqlString } from '../../../warehouse/index.js';

/*
 * Written for every supported ClickHouse, 18.16 included: no JSON functions there, so purchased
 * items are read from the purchase props with extractAll, and values are escaped literals.
 */

export interface QueryScope {
  site: string;
  visitor: string;
  /** Epoch ms: only events from then on count. */
  since: number;
  limit: number;
}

function recent(scope: QueryScope): string {
  return `site = ${sqlString(scope.site)} AND time >= toDateTime(${sqlNumber(Math.floor(scope.since / 1000))})`;
}

function list(values: readonly string[]): string {
  return values.map(sqlString).join(', ');
}

/** Products viewed by other visitors who viewed any of `products`, by how many of them did. */
export function coViewedSql(scope: QueryScope, products: readonly string[]): string {
  return `SELECT product_id, uniqExact(visitor_id) AS score
FROM {events}
WHERE ${recent(scope)} AND type = 'product' AND product_id != ''
  AND product_id NOT IN (${list(products)})
  AND visitor_id != ${sqlString(scope.visitor)}
  AND visitor_id IN (
    SELECT visitor_id FROM {events}
    WHERE ${recent(scope)} AND type = 'product' AND product_id IN (${list(products)})
  )
GROUP BY product_id
ORDER BY score DESC, product_id
LIMIT ${sqlNumber(scope.limit)}`;
}

/**
 * Units sold per product in the categories of `products` (all categories when empty). A
 * product's category is the one its product and cart events carry.
 */
export function bestSellersSql(scope: QueryScope, products: readonly string[]): string {
  const inCategories =
    products.length === 0
      ? ''
      : `AND item IN (
    SELECT product_id FROM {events}
    WHERE ${recent(scope)} AND product_id != '' AND category IN (
      SELECT category FROM {events}
      WHERE ${recent(scope)} AND category != '' AND product_id IN (${list(products)})
    )
  )
  AND item NOT IN (${list(products)})`;
  return `SELECT item AS product_id, count() AS score
FROM {events}
ARRAY JOIN extractAll(props, ${sqlString('"id":"([^"]+)"')}) AS item
WHERE ${recent(scope)} AND type = 'purchase'
  ${inCategories}
GROUP BY product_id
ORDER BY score DESC, product_id
LIMIT ${sqlNumber(scope.limit)}`;
}
