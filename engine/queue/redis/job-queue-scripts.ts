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

/** KEYS: job stream, dead hash, dead-letter times. ARGV: group, entry id, job id, dead letter, its time. */
export const DEAD_LETTER = script(`
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[3])
return 1`);

/** KEYS: dead hash, job stream, dead-letter times. ARGV: job id, job. Two operators replaying at once enqueue it once. */
export const REPLAY = script(`
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('XADD', KEYS[2], '*', 'job', ARGV[2])
return 1`);

/** KEYS: dead hash, dead-letter times. ARGV: job id. */
export const DISCARD_DEAD_LETTER = script(`
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('HDEL', KEYS[1], ARGV[1])`);

/**
 * KEYS: dead hash, dead-letter times. ARGV: before (a score, exclusive), max. Removes the oldest
 * dead letters by their time in the zset, so a trim costs what it removes. Dead letters written
 * before the zset existed (an older engine) are not in it: while it counts fewer entries than
 * the hash, they are added once by the time each holds (0 for one that is not readable JSON,
 * which the next trim then removes).
 */
export const TRIM_DEAD_LETTERS = script(`
if redis.call('ZCARD', KEYS[2]) < redis.call('HLEN', KEYS[1]) then
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    local readable, letter = pcall(cjson.decode, all[i + 1])
    local at = readable and type(letter) == 'table' and tonumber(letter.at) or 0
    redis.call('ZADD', KEYS[2], 'NX', at, all[i])
  end
end
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
return #ids`);

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
