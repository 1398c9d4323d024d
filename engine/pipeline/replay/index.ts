export { EventReplay } from './event-replay.js';
export { CollectingSink } from './collecting-sink.js';
export { createReplayPipeline } from './replay-pipeline.js';
export type { ReplayPipeline, ReplayPipelineOptions } from './replay-pipeline.js';
