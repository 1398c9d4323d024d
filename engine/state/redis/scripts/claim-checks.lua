-- Prepended (scripts.ts), after window-entries.lua, to the scripts that take claims: claim.lua,
-- and apply.lua for the claims a frame takes when its results meet their conditions. A claim is
-- all-or-nothing: every check must pass, then every check is recorded.
-- A check's fields, as both scripts receive them:
--   g field ttl                                (gate: a field of the visitor's gates hash)
--   c window limit time member from until ttl  (cap: a window of the visitor's windows set, counting [from, until))

-- `count` checks from the fields of F starting at i; returns them and the index after the last.
local function readChecks(F, i, count)
  local checks = {}
  for _ = 1, count do
    local kind = F[i]
    if kind == 'g' then
      checks[#checks + 1] = { kind = kind, key = F[i + 1], ttl = tonumber(F[i + 2]) }
      i = i + 3
    elseif kind == 'c' then
      checks[#checks + 1] = {
        kind = kind, window = F[i + 1], limit = tonumber(F[i + 2]), time = F[i + 3], member = F[i + 4],
        from = F[i + 5], untilTime = F[i + 6], ttl = tonumber(F[i + 7]),
      }
      i = i + 8
    else
      error('claim-checks.lua: unknown check kind ' .. tostring(kind))
    end
  end
  return checks, i
end

-- The index after `count` checks from field i on, without reading them (a claim not tried).
local CHECK_FIELDS = { g = 3, c = 8 }
local function skipChecks(F, i, count)
  for _ = 1, count do
    local fields = CHECK_FIELDS[F[i]]
    if not fields then error('claim-checks.lua: unknown check kind ' .. tostring(F[i])) end
    i = i + fields
  end
  return i
end

-- Gates compare against the caller's clock rather than relying on PX alone, so virtual time
-- (tests, backtests) sees the same cooldowns; PX only bounds memory.
local function claimPasses(gates, windows, check, now)
  if check.kind == 'g' then
    local openAt = redis.call('HGET', gates, check.key)
    return (not openAt) or tonumber(openAt) <= now
  end
  return countWindow(windows, check.window, check.from, check.untilTime) < check.limit
end

local function recordClaim(gates, windows, check, now)
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
local function forgetOpenGates(gates, now)
  local fields, open = redis.call('HGETALL', gates), {}
  for i = 1, #fields, 2 do
    if not isPlaceholder(fields[i]) and tonumber(fields[i + 1]) <= now then open[#open + 1] = fields[i] end
  end
  if #open == 0 then return end
  keepWhenEmptied(gates, 'hash', #fields / 2, #open)
  callInChunks({ 'HDEL', gates }, open)
end

-- Returns -1 when the claim was granted, else the 0-based index of its first failing check, and
-- whether the gates hash has been swept of open gates in this call (once is enough: every claim
-- of a call counts from the same now).
local function tryClaim(gates, windows, checks, now, swept)
  for index, check in ipairs(checks) do
    if not claimPasses(gates, windows, check, now) then return index - 1, swept end
  end
  for _, check in ipairs(checks) do
    if check.kind == 'g' and not swept then
      forgetOpenGates(gates, now)
      swept = true
    end
    recordClaim(gates, windows, check, now)
  end
  return -1, swept
end
