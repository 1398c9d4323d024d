-- Removes and returns one visitor's timers due at or before now, earliest first. Removal and
-- return happen in one script, so of two engines taking at once only one gets each timer.
-- KEYS: 1 timers (member = timer, score = due), 2 timer payloads
-- ARGV: now, max
-- Returns { { timer, due, payload, ... }, earliest remaining due or '' }.

local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local taken = {}
for i = 1, #due, 2 do
  local timer = due[i]
  redis.call('ZREM', KEYS[1], timer)
  local payload = redis.call('HGET', KEYS[2], timer)
  redis.call('HDEL', KEYS[2], timer)
  taken[#taken + 1] = timer
  taken[#taken + 1] = due[i + 1]
  taken[#taken + 1] = payload or ''
end
local earliest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return { taken, earliest[2] or '' }
