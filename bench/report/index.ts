export type { BenchResults, ThroughputRow, LatencyRow, RedisCostRow, MemoryFigures, ScalingRow, SinkRow, TargetCheck } from './bench-results.js';
export { pct, renderResults } from './markdown-table.js';
