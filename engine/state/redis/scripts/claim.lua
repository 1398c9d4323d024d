-- Claims of one visitor, tried in order; each is all-or-nothing: every check must pass,
-- then every check is recorded.
-- KEYS: 1 the visitor's gates (hash: gate → the time it opens again), 2 the visitor's windows
-- (sorted set of every window and cap, window-entries.ts and window-entries.lua).
-- ARGV: now, claimCount, then per claim: checkCount, then per check
--   g field ttl                                (gate: a field of KEYS[1])
--   c window limit time member from until ttl  (cap: a window of KEYS[2], counting [from, until))
-- Returns per claim -1 when granted, else the 0-based index of its first failing check.

local now = tonumber(ARGV[1])
local claimCount = tonumber(ARGV[2])
local gates, windows = KEYS[1], KEYS[2]

-- Gates compare against the caller's clock rather than relying on PX alone, so virtual time
-- (tests, backtests) sees the same cooldowns; PX only bounds memory.
local function passes(check)
  if check.kind == 'g' then
    local openAt = redis.call('HGET', gates, check.key)
    return (not openAt) or tonumber(openAt) <= now
  end
  return countWindow(windows, check.window, check.from, check.untilTime) < check.limit
end

local function record(check)
  if check.kind == 'g' then
    redis.call('HSET', gates, check.key, score(now + check.ttl))
    extendTtl(gates, check.ttl)
    return
  end
  addToWindow(windows, check.window, check.time, check.member, check.from)
  extendTtl(windows, check.ttl)
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
        kind = kind, window = ARGV[i + 1], limit = tonumber(ARGV[i + 2]), time = ARGV[i + 3], member = ARGV[i + 4],
        from = ARGV[i + 5], untilTime = ARGV[i + 6], ttl = tonumber(ARGV[i + 7]),
      }
      i = i + 8
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
