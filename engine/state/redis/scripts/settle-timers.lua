-- Ends the leases of timers taken by take-timers.lua, once their firings are delivered. Only the
-- caller's own lease ends: one another engine took over once it had ended has another lease end.
-- KEYS: 1 leased (hash: due, a space, timer → lease end, a space, payload)
-- ARGV: timer, its due, its lease end (as take-timers.lua was given it), repeated.
-- Returns the number of leases ended.

-- Every lease is read before any is removed: a removal may empty the hash, and a later read of
-- an emptied key fails on a cluster node whose slot is moving away (kept-keys.lua).
local fields, leases = {}, {}
for i = 1, #ARGV, 3 do
  -- Dues are stored as apply.lua's score() writes them: the same text from the same number.
  fields[#fields + 1] = string.format('%.17g', tonumber(ARGV[i + 1])) .. ' ' .. ARGV[i]
  leases[#leases + 1] = ARGV[i + 2] .. ' '
end
if #fields == 0 then return 0 end
local values = {}
for first = 1, #fields, CHUNK do
  for _, value in ipairs(redis.call('HMGET', KEYS[1], unpack(fields, first, math.min(first + CHUNK - 1, #fields)))) do
    values[#values + 1] = value
  end
end
local ending, counted = {}, {}
for n = 1, #fields do
  local value, lease = values[n], leases[n]
  if value and not counted[fields[n]] and string.sub(value, 1, #lease) == lease then
    counted[fields[n]] = true
    ending[#ending + 1] = fields[n]
  end
end
if #ending > 0 then callInChunks({ 'HDEL', KEYS[1] }, ending) end
return #ending
