export { startCeilingServer } from './bare-uws.js';
export type { CeilingServer, CeilingCounts } from './bare-uws.js';
