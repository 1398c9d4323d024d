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

/**
 * KEYS: job stream, delayed zset, dead hash. ARGV: group. Returns ready, held, delayed, dead in
 * one round trip. A stream or group not made yet (nothing enqueued since Redis lost the keys)
 * holds nothing: only that NOGROUP is read as 0 held, any other error is the caller's.
 */
export const DEPTH = script(`
local length = redis.call('XLEN', KEYS[1])
local held = 0
local pending = redis.pcall('XPENDING', KEYS[1], ARGV[1])
if type(pending) == 'table' and pending.err ~= nil then
  if string.find(pending.err, 'NOGROUP', 1, true) ~= 1 then return redis.error_reply(pending.err) end
else
  held = tonumber(pending[1])
end
return {length - held, held, redis.call('ZCARD', KEYS[2]), redis.call('HLEN', KEYS[3])}`);
