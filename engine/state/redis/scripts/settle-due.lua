-- Ends leases from lease-due.lua, re-indexing each visitor at its earliest remaining due.
-- ZADD LT keeps an earlier due that a concurrent apply indexed meanwhile.
-- KEYS: 1 due index, 2 leases
-- ARGV: member, earliest remaining due ('' when the visitor has none), repeated.

local function settle()
  keepTimeSetIfEmptied(KEYS[2], #ARGV / 2)
  for i = 1, #ARGV, 2 do
    redis.call('ZREM', KEYS[2], ARGV[i])
    if ARGV[i + 1] ~= '' then
      redis.call('ZADD', KEYS[1], 'LT', ARGV[i + 1], ARGV[i])
    end
  end
  return #ARGV / 2
end

return keepingKeys(settle)
