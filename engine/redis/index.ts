export { connectRedis } from './connect.js';
export type { RedisConnectOptions } from './connect.js';
export { RedisConnection, luaScript, type LuaScript } from './redis-connection.js';
