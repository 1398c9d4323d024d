export { RedisWindowStore } from './redis-window-store.js';
export type { RedisWindowStoreOptions, RedisConnectOptions } from './redis-window-store.js';
export type { StoreClient } from './store-client.js';
