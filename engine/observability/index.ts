export { createMetrics } from './metrics.js';
export type { EngineMetrics, QueueCounts } from './metrics.js';
export { createLogger } from './logger.js';
export type { Logger } from './logger.js';
