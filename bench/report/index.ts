export type { BenchResults, ThroughputRow, LatencyRow, RedisCostRow, MemoryFigures, ScalingRow, SinkRow, TargetCheck } from './bench-results.js';
export { ms, pct, renderResults } from './markdown-table.js';
