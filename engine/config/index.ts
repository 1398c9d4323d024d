export { loadConfig, parseConfig, ENV_SETTINGS } from './load.js';
export type { LoadOptions } from './load.js';
export { configSchema } from './schema.js';
export type { TripwireConfig, SiteConfig, ConfigInput } from './schema.js';

export { LockLeftOnHungDisk } from './data-dir-lock.js';
