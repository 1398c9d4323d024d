export type { Recommender, Recommendation, RecommendationRequest, RecommendationReason } from './recommender.js';
export { WarehouseRecommender } from './warehouse-recommender.js';
export type { WarehouseRecommenderOptions } from './warehouse-recommender.js';
