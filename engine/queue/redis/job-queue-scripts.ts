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
 * KEYS: dead hash, sweep cursor. ARGV: before (epoch ms, exclusive), most to remove, letters to
 * look at, pause (ms). One step of a sweep over the dead letters with HSCAN, from the cursor the
 * last step (of any engine) kept: each letter's own time decides, so no index has to agree with the hash, and
 * engines that wrote the hash only (before retention) are swept as well. A step looks at about
 * ARGV[3] letters, so it holds Redis for as long whatever the hash holds. Stopped by its limit
 * in a page, it keeps the cursor, and the next step reads that page again. The time is read from
 * the letter's tail as JSON.stringify writes it (`…,"at":<ms>}`), by decoding otherwise; a letter
 * without a readable time is kept, for an operator to read and discard. A finished sweep leaves
 * "done" for the pause, so engines that all trim every minute share one sweep a minute instead
 * of making one each. Returns {removed, 1 when the sweep is done}; a cursor left mid-sweep expires
 * an hour after its last step.
 */
export const TRIM_DEAD_LETTERS = script(`
local function letterTime(text)
  local at = string.match(text, ',"at":(%d+)}$')
  if at then return tonumber(at) end
  local readable, letter = pcall(cjson.decode, text)
  if readable and type(letter) == 'table' then return tonumber(letter.at) end
  return nil
end
local before = tonumber(ARGV[1])
local most = tonumber(ARGV[2])
local cursor = redis.call('GET', KEYS[2])
if cursor == 'done' then return {0, 1} end
local page = redis.call('HSCAN', KEYS[1], cursor or '0', 'COUNT', tonumber(ARGV[3]))
local entries = page[2]
local removed = 0
for i = 1, #entries, 2 do
  local at = letterTime(entries[i + 1])
  if at ~= nil and at < before then
    if removed >= most then return {removed, 0} end
    redis.call('HDEL', KEYS[1], entries[i])
    removed = removed + 1
  end
end
if page[1] == '0' then
  redis.call('SET', KEYS[2], 'done', 'PX', tonumber(ARGV[4]))
  return {removed, 1}
end
redis.call('SET', KEYS[2], page[1], 'PX', 3600000)
return {removed, 0}`);

/**
 * KEYS: dead hash, sweep cursor. Removes every dead letter and says how many: UNLINK frees a large
 * hash off Redis's main thread, so a purge of any size holds it for a moment only.
 */
export const PURGE_DEAD_LETTERS = script(`
local count = redis.call('HLEN', KEYS[1])
redis.call('UNLINK', KEYS[1], KEYS[2])
return count`);

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
