-- Ends the leases of timers taken by take-timers.lua, once their firings are delivered. Only the
-- caller's own lease ends: one another engine took over once it had ended has another lease end.
-- KEYS: 1 leased (hash: due, a space, timer → lease end, a space, payload)
-- ARGV: timer, its due, its lease end (as take-timers.lua was given it), repeated.
-- Returns the number of leases ended.

local ended = 0
for i = 1, #ARGV, 3 do
  -- Dues are stored as apply.lua's score() writes them: the same text from the same number.
  local field = string.format('%.17g', tonumber(ARGV[i + 1])) .. ' ' .. ARGV[i]
  local value = redis.call('HGET', KEYS[1], field)
  local lease = ARGV[i + 2] .. ' '
  if value and string.sub(value, 1, #lease) == lease then
    redis.call('HDEL', KEYS[1], field)
    ended = ended + 1
  end
end
return ended
