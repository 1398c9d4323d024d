-- Ends the leases of timers taken by take-timers.lua, once their firings are delivered. A lease
-- taken again since (with another due time) is not this caller's to end.
-- KEYS: 1 leased (hash: timer → lease end, a space, its due, a space, its payload)
-- ARGV: timer, its due, repeated.
-- Returns the number of leases ended.

local ended = 0
for i = 1, #ARGV, 2 do
  local value = redis.call('HGET', KEYS[1], ARGV[i])
  if value then
    local first = string.find(value, ' ', 1, true)
    local second = string.find(value, ' ', first + 1, true)
    if tonumber(string.sub(value, first + 1, second - 1)) == tonumber(ARGV[i + 1]) then
      redis.call('HDEL', KEYS[1], ARGV[i])
      ended = ended + 1
    end
  end
end
return ended
