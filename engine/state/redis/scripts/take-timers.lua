-- Removes and returns one visitor's timers due at or before now, earliest first. Removal and
-- return happen in one script, so of two engines taking at once only one gets each timer.
-- timers.lua and windows.lua are prepended.
-- KEYS: 1 timers
-- ARGV: now, max
-- Returns { { timer, due, payload, ... }, earliest remaining due or '' }.

local now, max = tonumber(ARGV[1]), tonumber(ARGV[2])
local timers = readTimers(KEYS[1])
table.sort(timers, function(a, b) return a.due < b.due or (a.due == b.due and a.timer < b.timer) end)

local taken = {}
local earliest = ''
for _, timer in ipairs(timers) do
  if timer.due <= now and #taken < 3 * max then
    redis.call('LREM', KEYS[1], 1, timer.raw)
    taken[#taken + 1] = timer.timer
    taken[#taken + 1] = score(timer.due)
    taken[#taken + 1] = timer.payload
  elseif earliest == '' then
    earliest = score(timer.due)
  end
end
return { taken, earliest }
