-- Claims of one visitor, tried in order (claim-checks.lua), all counting from the call's now.
-- KEYS: 1 the visitor's gates (hash: gate → the time it opens again), 2 the visitor's windows
-- (sorted set of every window and cap, window-entries.ts and window-entries.lua).
-- ARGV: claimCount, now (when the engine fires), then per claim: its lane (empty: none),
-- checkCount, then its checks (claim-checks.lua).
-- Returns per claim -1 when granted, -2 when not tried (a claim before it in its lane was
-- granted), else the 0-based index of its first failing check.

local claimCount = tonumber(ARGV[1])
local gates, windows = KEYS[1], KEYS[2]

local function claimAll()
  local granted, lanes, swept = {}, {}, false
  local now = tonumber(ARGV[2])
  local i = 3
  for _ = 1, claimCount do
    local lane, checkCount = ARGV[i], tonumber(ARGV[i + 1])
    if lanes[lane] then
      granted[#granted + 1] = -2
      i = skipChecks(ARGV, i + 2, checkCount)
    else
      local checks, failed
      checks, i = readChecks(ARGV, i + 2, checkCount)
      failed, swept = tryClaim(gates, windows, checks, now, swept)
      if failed == -1 and lane ~= '' then lanes[lane] = true end
      granted[#granted + 1] = failed
    end
  end
  return granted
end

return keepingKeys(claimAll)
