export { connectRedis } from './connect.js';
export type { RedisConnectOptions } from './connect.js';
export { RedisConnection, type LuaScript } from './redis-connection.js';
