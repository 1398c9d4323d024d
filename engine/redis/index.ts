export { connectRedis } from './connect.js';
export type { RedisConnectOptions } from './connect.js';
export { RedisConnection, luaScript, type LuaScript } from './redis-connection.js';
export { RedisJobQueue } from './redis-job-queue.js';
export type { RedisJobQueueOptions } from './redis-job-queue.js';
