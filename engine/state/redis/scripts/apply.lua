-- The frames of one event-loop turn, of any visitors, in submission order (frames of one
-- visitor run in that order, so the result equals sequential calls). Per frame: skip event ids
-- already seen, run every other event's ops in order, return one number per op and the profile.
-- KEYS: per frame, its own keys: 1 seen ids, 2 profile, 3 cart, 4 timers (hash: timer → its due,
-- a space, its payload), 5.. windows; ops name them by index relative to the frame's first key.
-- ARGV: dedupeHorizon, profileTtl, frameCount, then per frame: keyCount, argCount, then argCount
-- args: now, eventCount, then per event: id, opCount, then per op an opcode and its fields:
--   a window member at span   (window.add)       t timer due payload   (timer.arm)
--   c window at span          (window.count)     x timer               (timer.cancel)
--   s hash field value        (hash.set)         d hash field          (hash.delete)
--   z hash                    (hash.clear)       n hash field value    (hash.setIfAbsent)
--   i hash field by           (hash.increment)   X prefix              (timer.cancelPrefix)
--   (hash is 2 or 3, a relative key index)
-- Returns per frame { outcomes, profile } (outcomes: per event 1 when it was a duplicate else 0,
-- then its op results), or the error message of a frame that failed. A failed frame keeps the
-- writes it made before the error (as a single-frame call always did); the other frames of the
-- batch are not affected by it.

local dedupeHorizon = tonumber(ARGV[1])
local profileTtl = tonumber(ARGV[2])
local frameCount = tonumber(ARGV[3])
-- Set per frame by applyFrame: the frame's time and its first key's index minus one.
local now, base = 0, 0

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

local function keyAt(i)
  return KEYS[base + tonumber(ARGV[i])]
end

local function run(code, i)
  local timers = KEYS[base + 4]
  if code == 'a' then
    local key, member, at, span = keyAt(i), ARGV[i + 1], tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
    redis.call('ZADD', key, score(at), member)
    redis.call('ZREMRANGEBYSCORE', key, '-inf', score(at - span))
    extendTtl(key, math.max(span, at + span - now))
    return countWithin(key, at, span)
  elseif code == 'c' then
    return countWithin(keyAt(i), tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]))
  elseif code == 't' then
    -- One hash holds due and payload: a second key per visitor (a due-ordered set) cost more
    -- memory than take-timers.lua scanning a visitor's handful of timers.
    redis.call('HSET', timers, ARGV[i], score(tonumber(ARGV[i + 1])) .. ' ' .. ARGV[i + 2])
  elseif code == 'x' then
    redis.call('HDEL', timers, ARGV[i])
  elseif code == 'X' then
    -- A visitor holds a handful of timers: scanning them is cheaper than an index per prefix.
    local prefix = ARGV[i]
    for _, timer in ipairs(redis.call('HKEYS', timers)) do
      if timer == prefix or string.sub(timer, 1, #prefix + 1) == prefix .. ':' then
        redis.call('HDEL', timers, timer)
      end
    end
  elseif code == 's' then
    local hash = keyAt(i)
    redis.call('HSET', hash, ARGV[i + 1], ARGV[i + 2])
    redis.call('PEXPIRE', hash, math.max(1, math.ceil(profileTtl)))
  elseif code == 'd' then
    redis.call('HDEL', keyAt(i), ARGV[i + 1])
  elseif code == 'z' then
    redis.call('DEL', keyAt(i))
  elseif code == 'n' then
    local hash = keyAt(i)
    local set = redis.call('HSETNX', hash, ARGV[i + 1], ARGV[i + 2])
    redis.call('PEXPIRE', hash, math.max(1, math.ceil(profileTtl)))
    return set
  elseif code == 'i' then
    -- A count that falls to zero or below is removed, so a cart line leaves with its last unit.
    local hash = keyAt(i)
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

local function applyFrame(i)
  local seen = KEYS[base + 1]
  now = tonumber(ARGV[i])
  local eventCount = tonumber(ARGV[i + 1])
  i = i + 2
  -- Ids seen at or before now - horizon are forgotten: the set stays bounded by the horizon.
  redis.call('ZREMRANGEBYSCORE', seen, '-inf', score(now - dedupeHorizon))
  local outcomes = {}
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
        error('apply.lua: unknown op code ' .. tostring(code))
      end
      outcomes[#outcomes + 1] = duplicate and 0 or run(code, i + 1)
      i = i + 1 + fieldCount[code]
    end
  end
  if eventCount > 0 then
    redis.call('PEXPIRE', seen, math.max(1, math.ceil(dedupeHorizon)))
  end
  return { outcomes, redis.call('HGETALL', KEYS[base + 2]) }
end

-- redis.call raises a table { err = message }; error() raises a string.
local function message(failure)
  if type(failure) == 'table' and failure.err then return failure.err end
  return tostring(failure)
end

local replies = {}
local i = 4
for frame = 1, frameCount do
  local keyCount, argCount = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local ok, reply = pcall(applyFrame, i + 2)
  replies[frame] = ok and reply or message(reply)
  base = base + keyCount
  i = i + 2 + argCount
end
return replies
