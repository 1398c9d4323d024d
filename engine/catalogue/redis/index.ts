export { RedisCatalogueStore } from './redis-catalogue-store.js';
export type { RedisCatalogueStoreOptions, RedisCatalogueConnectOptions } from './redis-catalogue-store.js';
