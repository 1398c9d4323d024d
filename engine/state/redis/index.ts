export { RedisWindowStore } from './redis-window-store.js';
export type { RedisWindowStoreOptions, RedisWindowStoreConnectOptions } from './redis-window-store.js';
export { RedisInterestIndex } from './redis-interest-index.js';
export type { RedisInterestIndexOptions } from './redis-interest-index.js';
