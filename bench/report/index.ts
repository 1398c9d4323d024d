export type { BenchResults, ThroughputRow, LatencyRow, RedisFloor, RedisCostRow, MemoryFigures, ScalingRow, SinkRow, TargetCheck } from './bench-results.js';
export { ms, pct, renderResults } from './markdown-table.js';
