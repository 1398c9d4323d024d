-- The interest updates of one event-loop turn: per record, one visitor's updates to the
-- product → visitors sets of its site. Notes keep the latest time per visitor; every set
-- written is trimmed to the age and size bounds and expires when idle for maxAge.
-- KEYS: per record, its interest sets (updates name them by index relative to the record's first key)
-- ARGV: maxAge, maxVisitors, recordCount, then per record: keyCount, argCount, then argCount
-- args: now, visitor, updateCount, then per update: op, key index, at
--   n key at   (note: the visitor's interest at time `at`)
--   d key -    (drop: the visitor's interest is over)

local maxAge = tonumber(ARGV[1])
local maxVisitors = tonumber(ARGV[2])
local recordCount = tonumber(ARGV[3])

local function score(x)
  return string.format('%.17g', x)
end

local function record(base, i)
  local now, visitor, updateCount = tonumber(ARGV[i]), ARGV[i + 1], tonumber(ARGV[i + 2])
  i = i + 3
  for _ = 1, updateCount do
    local op, key, at = ARGV[i], KEYS[base + tonumber(ARGV[i + 1])], tonumber(ARGV[i + 2])
    i = i + 3
    if op == 'd' then
      keepTimeSetIfEmptied(key, 1)
      redis.call('ZREM', key, visitor)
    elseif op == 'n' then
      -- GT: a resent or late event must not make an interest look older than it is.
      local added = redis.call('ZADD', key, 'GT', score(at), visitor)
      -- The visitor just noted outlives the trim unless its interest is already too old.
      if at <= now - maxAge then keepTimeSet(key) end
      redis.call('ZREMRANGEBYSCORE', key, '-inf', score(now - maxAge))
      -- Only an added visitor can take the set past its size bound (the placeholder, last, is not a visitor).
      if added == 1 then
        redis.call('ZREMRANGEBYRANK', key, 0, -(maxVisitors + 1 + (isKept(key) and 1 or 0)))
      end
      redis.call('PEXPIRE', key, math.max(1, math.ceil(maxAge)))
    else
      error('interest.lua: unknown op ' .. tostring(op))
    end
  end
end

local function recordAll()
  local base, i = 0, 4
  for _ = 1, recordCount do
    local keyCount, argCount = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
    record(base, i + 2)
    base = base + keyCount
    i = i + 2 + argCount
  end
  return recordCount
end

return keepingKeys(recordAll)
