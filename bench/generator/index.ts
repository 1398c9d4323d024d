export { generateShopperSessions } from './shopper-sessions.js';
export type { ShopperSessionOptions } from './shopper-sessions.js';
export type { RecordedEvent } from './recorded-event.js';
export { SeededRandom } from './seeded-random.js';
export { ZipfSampler } from './zipf.js';
export { writeNdjson } from './ndjson-file.js';
