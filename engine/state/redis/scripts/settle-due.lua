-- Ends leases from lease-due.lua, re-indexing each visitor at its earliest remaining due.
-- ZADD LT keeps an earlier due that a concurrent apply indexed meanwhile.
-- KEYS: 1 due index, 2 leases
-- ARGV: member, earliest remaining due ('' when the visitor has none), repeated.
-- The leases go in one removal, the lease set's only command here: it may empty the set without a
-- placeholder (kept-keys.lua), and a Redis at maxmemory runs it, a removal being the first write.

local members, dues = {}, {}
for i = 1, #ARGV, 2 do
  members[#members + 1] = ARGV[i]
  if ARGV[i + 1] ~= '' then
    dues[#dues + 1] = ARGV[i + 1]
    dues[#dues + 1] = ARGV[i]
  end
end
if #members > 0 then callInChunks({ 'ZREM', KEYS[2] }, members) end
if #dues > 0 then callInChunks({ 'ZADD', KEYS[1], 'LT' }, dues) end
return #members
