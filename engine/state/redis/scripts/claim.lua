-- Claims of one visitor, tried in order; each is all-or-nothing: every check must pass,
-- then every check is recorded.
-- KEYS: 1 the visitor's gates (hash: gate → the time it opens again), then one per distinct
-- cap (a window: sorted set of members scored by time).
-- ARGV: now, claimCount, then per claim: checkCount, then per check
--   g field ttl                  (gate: a field of KEYS[1])
--   c key limit span member at   (cap)
-- Returns per claim -1 when granted, else the 0-based index of its first failing check.

local now = tonumber(ARGV[1])
local claimCount = tonumber(ARGV[2])
local gates = KEYS[1]

local function score(x)
  return string.format('%.17g', x)
end

local function extendTtl(key, ttl)
  ttl = math.max(1, math.ceil(ttl))
  if redis.call('PTTL', key) < ttl then
    redis.call('PEXPIRE', key, ttl)
  end
end

-- Gates compare against the caller's clock rather than relying on PX alone, so virtual time
-- (tests, backtests) sees the same cooldowns; PX only bounds memory.
local function passes(check)
  if check.kind == 'g' then
    local openAt = redis.call('HGET', gates, check.key)
    return (not openAt) or tonumber(openAt) <= now
  end
  local count = redis.call('ZCOUNT', check.key, '(' .. score(check.at - check.span), score(check.at))
  return count < check.limit
end

local function record(check)
  if check.kind == 'g' then
    redis.call('HSET', gates, check.key, score(now + check.ttl))
    extendTtl(gates, check.ttl)
    return
  end
  redis.call('ZADD', check.key, score(check.at), check.member)
  redis.call('ZREMRANGEBYSCORE', check.key, '-inf', score(check.at - check.span))
  extendTtl(check.key, math.max(check.span, check.at + check.span - now))
end

-- Gates live in one hash whose TTL is the longest one's: a gate past its time is removed when
-- the hash is written, so the hash holds only the gates still closed (and expires with the last).
local function forgetOpenGates()
  local fields = redis.call('HGETALL', gates)
  for i = 1, #fields, 2 do
    if tonumber(fields[i + 1]) <= now then redis.call('HDEL', gates, fields[i]) end
  end
end

local granted = {}
local gatesWritten = false
local i = 3
for _ = 1, claimCount do
  local checks = {}
  local checkCount = tonumber(ARGV[i])
  i = i + 1
  for _ = 1, checkCount do
    local kind = ARGV[i]
    if kind == 'g' then
      checks[#checks + 1] = { kind = kind, key = ARGV[i + 1], ttl = tonumber(ARGV[i + 2]) }
      i = i + 3
    else
      checks[#checks + 1] = {
        kind = kind, key = KEYS[tonumber(ARGV[i + 1])], limit = tonumber(ARGV[i + 2]), span = tonumber(ARGV[i + 3]),
        member = ARGV[i + 4], at = tonumber(ARGV[i + 5]),
      }
      i = i + 6
    end
  end
  local failed = -1
  for index, check in ipairs(checks) do
    if not passes(check) then
      failed = index - 1
      break
    end
  end
  if failed == -1 then
    for _, check in ipairs(checks) do
      if check.kind == 'g' and not gatesWritten then
        forgetOpenGates()
        gatesWritten = true
      end
      record(check)
    end
  end
  granted[#granted + 1] = failed
end
return granted
