-- Removes and returns one visitor's timers due at or before now, earliest first. Removal and
-- return happen in one script, so of two engines taking at once only one gets each timer.
-- KEYS: 1 timers (hash: timer → its due, a space, its payload)
-- ARGV: now, max
-- Returns { { timer, due, payload, ... }, earliest remaining due or '' }.

local now, max = tonumber(ARGV[1]), tonumber(ARGV[2])
local fields = redis.call('HGETALL', KEYS[1])
local due, pending = {}, {}
for i = 1, #fields, 2 do
  local value = fields[i + 1]
  local space = string.find(value, ' ', 1, true)
  local timer = { name = fields[i], at = string.sub(value, 1, space - 1), payload = string.sub(value, space + 1) }
  timer.due = tonumber(timer.at)
  if timer.due <= now then due[#due + 1] = timer else pending[#pending + 1] = timer end
end
table.sort(due, function(a, b)
  if a.due ~= b.due then return a.due < b.due end
  return a.name < b.name
end)

local taken = {}
local earliest = nil
for index, timer in ipairs(due) do
  if index <= max then
    redis.call('HDEL', KEYS[1], timer.name)
    taken[#taken + 1] = timer.name
    taken[#taken + 1] = timer.at
    taken[#taken + 1] = timer.payload
  elseif earliest == nil or timer.due < earliest.due then
    earliest = timer
  end
end
for _, timer in ipairs(pending) do
  if earliest == nil or timer.due < earliest.due then earliest = timer end
end
return { taken, earliest and earliest.at or '' }
