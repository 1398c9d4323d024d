-- One frame's interest updates for one visitor: the product → visitors sets of one site (all
-- keys share the site's hash tag). Notes keep the latest time per visitor; every set written
-- is trimmed to the age and size bounds and expires when idle for maxAge.
-- KEYS: the interest sets (updates name them by index)
-- ARGV: now, maxAge, maxVisitors, visitor, updateCount, then per update: op, key index, at
--   n key at   (note: the visitor's interest at time `at`)
--   d key -    (drop: the visitor's interest is over)

local now = tonumber(ARGV[1])
local maxAge = tonumber(ARGV[2])
local maxVisitors = tonumber(ARGV[3])
local visitor = ARGV[4]
local updateCount = tonumber(ARGV[5])

local function score(x)
  return string.format('%.17g', x)
end

local i = 6
for _ = 1, updateCount do
  local op, key, at = ARGV[i], KEYS[tonumber(ARGV[i + 1])], tonumber(ARGV[i + 2])
  i = i + 3
  if op == 'd' then
    redis.call('ZREM', key, visitor)
  elseif op == 'n' then
    -- A resent or late event must not make an interest look older than it is.
    local previous = redis.call('ZSCORE', key, visitor)
    if not previous or tonumber(previous) < at then
      redis.call('ZADD', key, score(at), visitor)
    end
    redis.call('ZREMRANGEBYSCORE', key, '-inf', score(now - maxAge))
    redis.call('ZREMRANGEBYRANK', key, 0, -(maxVisitors + 1))
    redis.call('PEXPIRE', key, math.max(1, math.ceil(maxAge)))
  else
    return redis.error_reply('ERR interest.lua: unknown op ' .. tostring(op))
  end
end
return updateCount
