export { EventReplay } from './event-replay.js';
export { CollectingSink } from './collecting-sink.js';
