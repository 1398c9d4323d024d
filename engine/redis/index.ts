export { connectRedis } from './connect.js';
export type { RedisConnectOptions } from './connect.js';
