export { spawnTarget } from './spawn-target.js';
export type { Target, TargetOptions } from './spawn-target.js';
export type { TargetPauses, TargetSpec, TargetStats } from './target-spec.js';
export { DiscardWarehouse } from './discard-warehouse.js';
export { seedVisitors } from './seed-visitors.js';
export { buildTarget } from './build-target.js';
