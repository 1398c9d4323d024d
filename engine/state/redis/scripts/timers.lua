-- Shared by apply.lua and take-timers.lua (prepended when the scripts load): a visitor's
-- timers, one element each of a list, cmsgpack { timer, due, payload }. A list keeps its
-- elements packed whatever their size, where a hash or a sorted set turns into a table with
-- ~50 bytes of overhead per entry once one value passes 64 bytes, as most payloads do (they
-- carry the triggering event). A visitor holds a handful of timers: reading them all is cheap.

local function readTimers(key)
  local timers = {}
  for _, raw in ipairs(redis.call('LRANGE', key, 0, -1)) do
    local timer = cmsgpack.unpack(raw)
    timers[#timers + 1] = { timer = timer[1], due = timer[2], payload = timer[3], raw = raw }
  end
  return timers
end

local function dropTimers(key, matches)
  for _, timer in ipairs(readTimers(key)) do
    if matches(timer.timer) then redis.call('LREM', key, 1, timer.raw) end
  end
end

local function armTimer(key, name, due, payload)
  dropTimers(key, function(timer) return timer == name end)
  redis.call('RPUSH', key, cmsgpack.pack({ name, due, payload }))
end
