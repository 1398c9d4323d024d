-- Claims of one visitor, tried in order; each is all-or-nothing: every check must pass,
-- then every check is recorded. windows.lua is prepended: a gate holds the time it opens
-- again, a cap is a window.
-- KEYS: 1 windows
-- ARGV: now, claimCount, then per claim: checkCount, then per check
--   g name ttl                    (gate)
--   c name limit span member at   (cap)
-- Returns per claim -1 when granted, else the 0-based index of its first failing check.

local now = tonumber(ARGV[1])
local claimCount = tonumber(ARGV[2])
local windows = KEYS[1]

-- Gates compare against the caller's clock rather than relying on expiry, so virtual time
-- (tests, backtests) sees the same cooldowns; PEXPIRE only bounds memory.
local function passes(check)
  if check.kind == 'g' then return gateOpen(windows, check.name, now) end
  return windowCount(windows, check.name, check.at, check.span, now) < check.limit
end

local function record(check)
  if check.kind == 'g' then
    gateHold(windows, check.name, check.ttl, now)
  else
    windowAdd(windows, check.name, check.member, check.at, check.span, now)
  end
end

local granted = {}
local i = 3
for _ = 1, claimCount do
  local checks = {}
  local checkCount = tonumber(ARGV[i])
  i = i + 1
  for _ = 1, checkCount do
    local kind, name = ARGV[i], ARGV[i + 1]
    if kind == 'g' then
      checks[#checks + 1] = { kind = kind, name = name, ttl = tonumber(ARGV[i + 2]) }
      i = i + 3
    else
      checks[#checks + 1] = {
        kind = kind, name = name, limit = tonumber(ARGV[i + 2]), span = tonumber(ARGV[i + 3]),
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
    for _, check in ipairs(checks) do record(check) end
  end
  granted[#granted + 1] = failed
end
return granted
