export type RecommendationReason = 'co-viewed' | 'best-seller';

export interface RecommendationRequest {
  site: string;
  /** The recipient, whose own views do not count as co-views. */
  visitor: string;
  /** Products the email is about (viewed, in the cart): recommended around, never themselves. */
  products: readonly string[];
  limit: number;
}

export interface Recommendation {
  productId: string;
  reason: RecommendationReason;
  /** Visitors (co-viewed) or units sold (best-seller) behind the pick. */
  score: number;
}

/** Picks products to show next to the ones an email is about. */
export interface Recommender {
  recommend(request: RecommendationRequest): Promise<Recommendation[]>;
}
