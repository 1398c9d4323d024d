export { startCeilingServer } from './bare-uws.js';
export type { CeilingServer, CeilingCounts, CeilingOptions } from './bare-uws.js';
