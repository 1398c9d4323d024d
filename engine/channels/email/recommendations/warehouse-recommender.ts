import { systemClock, type Clock } from '../../../events/index.js';
import type { WarehouseBackend } from '../../../warehouse/index.js';
import { bestSellersSql, coViewedSql, type QueryScope } from './recommendation-queries.js';
import type { Recommendation, RecommendationRequest, Recommender } from './recommender.js';

export interface WarehouseRecommenderOptions {
  warehouse: WarehouseBackend;
  /** How far back views and purchases count; default 30 days. */
  lookback?: number;
  clock?: Clock;
}

/**
 * Recommendations from the events in ClickHouse: co-viewed products first (visitors who looked
 * at these also looked at…), then the category's best sellers to fill the list.
 */
export class WarehouseRecommender implements Recommender {
  private readonly warehouse: WarehouseBackend;
  private readonly lookback: number;
  private readonly clock: Clock;

  constructor(options: WarehouseRecommenderOptions) {
    this.warehouse = options.warehouse;
    this.lookback = options.lookback ?? 30 * 86_400_000;
    this.clock = options.clock ?? systemClock;
  }

  async recommend(request: RecommendationRequest): Promise<Recommendation[]> {
    if (request.limit <= 0) return [];
    const scope: QueryScope = { site: request.site, visitor: request.visitor, since: this.clock.now() - this.lookback, limit: request.limit };
    const products = [...new Set(request.products.filter((id) => id !== ''))];
    const [coViewed, bestSellers] = await Promise.all([
      products.length === 0 ? [] : this.rows(coViewedSql(scope, products)),
      this.rows(bestSellersSql(scope, products)),
    ]);
    const picked = new Map<string, Recommendation>();
    for (const row of coViewed) picked.set(row.product_id, { productId: row.product_id, reason: 'co-viewed', score: Number(row.score) });
    for (const row of bestSellers) {
      if (!picked.has(row.product_id)) picked.set(row.product_id, { productId: row.product_id, reason: 'best-seller', score: Number(row.score) });
    }
    return [...picked.values()].slice(0, request.limit);
  }

  private rows(sql: string): Promise<Array<{ product_id: string; score: number | string }>> {
    return this.warehouse.query<{ product_id: string; score: number | string }>(sql);
  }
}
