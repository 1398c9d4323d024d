export { loadConfig, parseConfig, ENV_SETTINGS } from './load.js';
export type { LoadOptions } from './load.js';
export { configSchema } from './schema.js';
export type { TripwireConfig, SiteConfig, ConfigInput } from './schema.js';
export { LockLeftOnHungDisk, engineRunningOn } from './data-dir-lock.js';
export type { LockHolder } from './data-dir-lock.js';
