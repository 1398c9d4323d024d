-- One frame of one visitor: skip event ids already seen, run every other event's ops in
-- order, return one number per op and the profile afterwards.
-- KEYS: 1 seen ids, 2 profile, 3 cart, 4 timers, 5 timer payloads, 6.. windows (ops name them by index)
-- ARGV: now, dedupeHorizon, profileTtl, eventCount, then per event: id, opCount, then per op
-- an opcode and its fields:
--   a window member at span   (window.add)       t timer due payload   (timer.arm)
--   c window at span          (window.count)     x timer               (timer.cancel)
--   s hash field value        (hash.set)         d hash field          (hash.delete)
--   z hash                    (hash.clear)       n hash field value    (hash.setIfAbsent)
--   i hash field by           (hash.increment)   X prefix              (timer.cancelPrefix)
--   (hash is 2 or 3, a KEYS index)
-- Returns { outcomes, profile }: per event 1 when it was a duplicate else 0, then its op results.

local now = tonumber(ARGV[1])
local dedupeHorizon = tonumber(ARGV[2])
local profileTtl = tonumber(ARGV[3])
local eventCount = tonumber(ARGV[4])
local seen, timers, payloads = KEYS[1], KEYS[4], KEYS[5]

-- Lua prints numbers with 14 significant digits; scores must round-trip exactly.
local function score(x)
  return string.format('%.17g', x)
end

-- A window lives as long as its longest span needs, never shorter than it already does.
local function extendTtl(key, ttl)
  ttl = math.max(1, math.ceil(ttl))
  if redis.call('PTTL', key) < ttl then
    redis.call('PEXPIRE', key, ttl)
  end
end

local function countWithin(key, at, span)
  return redis.call('ZCOUNT', key, '(' .. score(at - span), score(at))
end

local fieldCount = { a = 4, c = 3, t = 3, x = 1, s = 3, d = 2, z = 1, n = 3, i = 3, X = 1 }

local function run(code, i)
  if code == 'a' then
    local key, member, at, span = KEYS[tonumber(ARGV[i])], ARGV[i + 1], tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
    redis.call('ZADD', key, score(at), member)
    redis.call('ZREMRANGEBYSCORE', key, '-inf', score(at - span))
    extendTtl(key, math.max(span, at + span - now))
    return countWithin(key, at, span)
  elseif code == 'c' then
    return countWithin(KEYS[tonumber(ARGV[i])], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]))
  elseif code == 't' then
    redis.call('ZADD', timers, score(tonumber(ARGV[i + 1])), ARGV[i])
    redis.call('HSET', payloads, ARGV[i], ARGV[i + 2])
  elseif code == 'x' then
    redis.call('ZREM', timers, ARGV[i])
    redis.call('HDEL', payloads, ARGV[i])
  elseif code == 'X' then
    -- A visitor holds a handful of timers: scanning them is cheaper than an index per prefix.
    local prefix = ARGV[i]
    for _, timer in ipairs(redis.call('ZRANGE', timers, 0, -1)) do
      if timer == prefix or string.sub(timer, 1, #prefix + 1) == prefix .. ':' then
        redis.call('ZREM', timers, timer)
        redis.call('HDEL', payloads, timer)
      end
    end
  elseif code == 's' then
    local hash = KEYS[tonumber(ARGV[i])]
    redis.call('HSET', hash, ARGV[i + 1], ARGV[i + 2])
    redis.call('PEXPIRE', hash, math.max(1, math.ceil(profileTtl)))
  elseif code == 'd' then
    redis.call('HDEL', KEYS[tonumber(ARGV[i])], ARGV[i + 1])
  elseif code == 'z' then
    redis.call('DEL', KEYS[tonumber(ARGV[i])])
  elseif code == 'n' then
    local hash = KEYS[tonumber(ARGV[i])]
    local set = redis.call('HSETNX', hash, ARGV[i + 1], ARGV[i + 2])
    redis.call('PEXPIRE', hash, math.max(1, math.ceil(profileTtl)))
    return set
  elseif code == 'i' then
    -- A count that falls to zero or below is removed, so a cart line leaves with its last unit.
    local hash = KEYS[tonumber(ARGV[i])]
    local value = redis.call('HINCRBY', hash, ARGV[i + 1], tonumber(ARGV[i + 2]))
    if value <= 0 then
      redis.call('HDEL', hash, ARGV[i + 1])
      return 0
    end
    redis.call('PEXPIRE', hash, math.max(1, math.ceil(profileTtl)))
    return value
  end
  return 0
end

-- Ids seen at or before now - horizon are forgotten: the set stays bounded by the horizon.
redis.call('ZREMRANGEBYSCORE', seen, '-inf', score(now - dedupeHorizon))

local outcomes = {}
local i = 5
for _ = 1, eventCount do
  local id, opCount = ARGV[i], tonumber(ARGV[i + 1])
  i = i + 2
  local duplicate = redis.call('ZSCORE', seen, id)
  if duplicate then
    outcomes[#outcomes + 1] = 1
  else
    redis.call('ZADD', seen, score(now), id)
    outcomes[#outcomes + 1] = 0
  end
  for _ = 1, opCount do
    local code = ARGV[i]
    if not fieldCount[code] then
      return redis.error_reply('ERR apply.lua: unknown op code ' .. tostring(code))
    end
    outcomes[#outcomes + 1] = duplicate and 0 or run(code, i + 1)
    i = i + 1 + fieldCount[code]
  end
end
if eventCount > 0 then
  redis.call('PEXPIRE', seen, math.max(1, math.ceil(dedupeHorizon)))
end

return { outcomes, redis.call('HGETALL', KEYS[2]) }
