export { withEngine, withCeiling, engineName, saturationEnv, SATURATION } from './bench-context.js';
export type { BenchContext, StoreChoice, WarehouseChoice } from './bench-context.js';
export { ceilingThroughput, engineThroughput, frameErrors, FRAME_SIZES } from './throughput-steps.js';
export type { CeilingRuns, EngineRuns } from './throughput-steps.js';
export { compareLatency, latencyRunId } from './latency-steps.js';
export { socketMemory, scalingRounds } from './memory-steps.js';
