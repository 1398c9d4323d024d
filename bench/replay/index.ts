export { replayEvents } from './replay-stream.js';
export type { ReplayOptions, ReplayReport } from './replay-stream.js';
export { readClickstreamCsv, clickstreamEvents } from './clickstream-csv.js';
export type { ClickstreamOptions } from './clickstream-csv.js';
export { readNdjsonEvents } from './ndjson-stream.js';
