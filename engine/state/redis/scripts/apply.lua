-- One frame of one visitor: skip event ids already seen, run every other event's ops in
-- order, return one number per op and the profile afterwards. windows.lua and timers.lua
-- are prepended.
-- KEYS: 1 seen ids, 2 profile, 3 cart, 4 timers, 5 windows
-- ARGV: now, dedupeHorizon, profileTtl, eventCount, then per event: id, opCount, then per op
-- an opcode and its fields:
--   a window member at span   (window.add)       t timer due payload   (timer.arm)
--   c window at span          (window.count)     x timer               (timer.cancel)
--   s hash field value        (hash.set)         d hash field          (hash.delete)
--   z hash                    (hash.clear)       n hash field value    (hash.setIfAbsent)
--   i hash field by           (hash.increment)   X prefix              (timer.cancelPrefix)
--   (hash is 2 or 3, a KEYS index; window is the window's name)
-- Returns { outcomes, profile }: per event 1 when it was a duplicate else 0, then its op results.

local now = tonumber(ARGV[1])
local dedupeHorizon = tonumber(ARGV[2])
local profileTtl = tonumber(ARGV[3])
local eventCount = tonumber(ARGV[4])
local seen, timers, windows = KEYS[1], KEYS[4], KEYS[5]

local fieldCount = { a = 4, c = 3, t = 3, x = 1, s = 3, d = 2, z = 1, n = 3, i = 3, X = 1 }

local function run(code, i)
  if code == 'a' then
    return windowAdd(windows, ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3]), now)
  elseif code == 'c' then
    return windowCount(windows, ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), now)
  elseif code == 't' then
    armTimer(timers, ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2])
  elseif code == 'x' then
    local name = ARGV[i]
    dropTimers(timers, function(timer) return timer == name end)
  elseif code == 'X' then
    local prefix = ARGV[i]
    dropTimers(timers, function(timer)
      return timer == prefix or string.sub(timer, 1, #prefix + 1) == prefix .. ':'
    end)
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
  local id, opCount = brief(ARGV[i]), tonumber(ARGV[i + 1])
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
