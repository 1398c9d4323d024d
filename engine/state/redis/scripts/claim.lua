-- Claims of one visitor, tried in order (claim-checks.lua).
-- KEYS: 1 the visitor's gates (hash: gate → the time it opens again), 2 the visitor's windows
-- (sorted set of every window and cap, window-entries.ts and window-entries.lua).
-- ARGV: claimCount, the earliest time a claim counts from, then per claim: the time it counts
-- from, checkCount, then its checks (claim-checks.lua).
-- Returns per claim -1 when granted, else the 0-based index of its first failing check.

local claimCount = tonumber(ARGV[1])
local gates, windows = KEYS[1], KEYS[2]

local function claimAll()
  local granted = {}
  local unswept = tonumber(ARGV[2])
  local i = 3
  for _ = 1, claimCount do
    local time = tonumber(ARGV[i])
    local checks
    checks, i = readChecks(ARGV, i + 2, tonumber(ARGV[i + 1]))
    local failed
    failed, unswept = tryClaim(gates, windows, checks, time, unswept)
    granted[#granted + 1] = failed
  end
  return granted
end

return keepingKeys(claimAll)
