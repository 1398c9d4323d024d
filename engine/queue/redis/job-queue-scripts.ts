import { luaScript as script } from '../../redis/index.js';

/** KEYS: delayed zset, job stream. ARGV: now, limit. Moves retries whose time has come back onto the stream. */
export const PROMOTE_DUE = script(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, job in ipairs(due) do
  redis.call('XADD', KEYS[2], '*', 'job', job)
  redis.call('ZREM', KEYS[1], job)
end
return #due`);

/** KEYS: job stream. ARGV: group, entry id. */
export const ACK = script(`
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return acked`);

/** KEYS: job stream, delayed zset. ARGV: group, entry id, due, job. Only a still-held entry is moved. */
export const RETRY_LATER = script(`
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
return 1`);

/** KEYS: job stream, dead hash. ARGV: group, entry id, job id, dead letter. */
export const DEAD_LETTER = script(`
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
return 1`);

/** KEYS: dead hash, job stream. ARGV: job id, job. Two operators replaying at once enqueue it once. */
export const REPLAY = script(`
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('XADD', KEYS[2], '*', 'job', ARGV[2])
return 1`);
