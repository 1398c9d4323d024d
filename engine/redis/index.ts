export { connectRedis, maskedUrl } from './connect.js';
export type { RedisConnectOptions } from './connect.js';
