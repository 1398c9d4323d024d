-- Leases and returns one visitor's timers due at or before now, earliest first: each moves from
-- the timers hash to the leased hash until settle-timers.lua ends its lease. A lease that ended
-- unsettled (its taker died before delivering) is due again with its own due time and payload.
-- Taking happens in one script, so of two engines taking at once only one gets each timer.
-- KEYS: 1 timers (hash: timer → its due, a space, its payload),
--       2 leased (hash: its due, a space, the timer → lease end, a space, its payload; the due
--         in the field keeps two leases of one timer name apart)
-- ARGV: now, max, lease end for the timers taken now
-- Returns { { timer, due, payload, ... }, earliest time the visitor must be looked at again or '' }:
-- its earliest remaining due, or the end of a lease still running.

local now, max, leaseUntil = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local due, later = {}, {}

local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if not isPlaceholder(fields[i]) then
    local value = fields[i + 1]
    local space = string.find(value, ' ', 1, true)
    local timer = { name = fields[i], at = string.sub(value, 1, space - 1), payload = string.sub(value, space + 1) }
    timer.due = tonumber(timer.at)
    if timer.due <= now then due[#due + 1] = timer else later[#later + 1] = timer.at end
  end
end

local leases = redis.call('HGETALL', KEYS[2])
for i = 1, #leases, 2 do
  local field, value = leases[i], leases[i + 1]
  local space = string.find(value, ' ', 1, true)
  local ends = string.sub(value, 1, space - 1)
  if tonumber(ends) <= now then
    local split = string.find(field, ' ', 1, true)
    local timer = { name = string.sub(field, split + 1), at = string.sub(field, 1, split - 1), payload = string.sub(value, space + 1), leased = true }
    timer.due = tonumber(timer.at)
    due[#due + 1] = timer
  else
    later[#later + 1] = ends
  end
end

table.sort(due, function(a, b)
  if a.due ~= b.due then return a.due < b.due end
  return a.name < b.name
end)

local taken = {}
for index, timer in ipairs(due) do
  if index <= max then
    if not timer.leased then redis.call('HDEL', KEYS[1], timer.name) end
    redis.call('HSET', KEYS[2], timer.at .. ' ' .. timer.name, leaseUntil .. ' ' .. timer.payload)
    taken[#taken + 1] = timer.name
    taken[#taken + 1] = timer.at
    taken[#taken + 1] = timer.payload
  else
    later[#later + 1] = timer.at
  end
end
if #taken > 0 then later[#later + 1] = leaseUntil end

local earliest = nil
for _, at in ipairs(later) do
  if earliest == nil or tonumber(at) < tonumber(earliest) then earliest = at end
end
return { taken, earliest or '' }
