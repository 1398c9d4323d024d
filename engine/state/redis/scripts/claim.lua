-- Claims of one visitor, tried in order (claim-checks.lua).
-- KEYS: 1 the visitor's gates (hash: gate → the time it opens again), 2 the visitor's windows
-- (sorted set of every window and cap, window-entries.ts and window-entries.lua).
-- ARGV: now, claimCount, then per claim: checkCount, then its checks (claim-checks.lua).
-- Returns per claim -1 when granted, else the 0-based index of its first failing check.

local now = tonumber(ARGV[1])
local claimCount = tonumber(ARGV[2])
local gates, windows = KEYS[1], KEYS[2]

local granted = {}
local gatesSwept = false
local i = 3
for _ = 1, claimCount do
  local checks
  checks, i = readChecks(ARGV, i + 1, tonumber(ARGV[i]))
  local failed
  failed, gatesSwept = tryClaim(gates, windows, checks, now, gatesSwept)
  granted[#granted + 1] = failed
end
return granted
