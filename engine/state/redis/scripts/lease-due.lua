-- Hands the caller up to max visitors with timers due, moving each from the due index to the
-- lease set until settle-due.lua (or lease expiry, if the caller died) puts it back.
-- KEYS: 1 due index (member = visitor, score <= that visitor's earliest due), 2 leases (score = lease end)
-- ARGV: now, max, leaseUntil
-- Returns the leased members, earliest due first.
-- Reads first, then per key its additions before its one removal, which is the key's last command:
-- a removal may then empty a key without a placeholder (kept-keys.lua), and when no lease was
-- abandoned the script's first write is a removal, which a Redis at maxmemory still runs.

local now, max, leaseUntil = ARGV[1], tonumber(ARGV[2]), ARGV[3]

-- A lease past its end means its holder died between taking and settling: due again now.
local abandoned, wasAbandoned = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now), {}
for _, member in ipairs(abandoned) do
  wasAbandoned[member] = true
  redis.call('ZADD', KEYS[1], 'LT', now, member)
end

local leased, isLeased = {}, {}
local offset = 0
while #leased < max do
  local page = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', offset, max)
  if #page == 0 then break end
  for _, member in ipairs(page) do
    -- A visitor leased by another caller stays indexed: that caller's settle merges with it.
    if #leased < max and (wasAbandoned[member] or not redis.call('ZSCORE', KEYS[2], member)) then
      leased[#leased + 1] = member
      isLeased[member] = true
    end
  end
  offset = offset + #page
end

if #leased > 0 then
  callInChunks({ 'ZREM', KEYS[1] }, leased)
  local leases = {}
  for _, member in ipairs(leased) do
    leases[#leases + 1] = leaseUntil
    leases[#leases + 1] = member
  end
  callInChunks({ 'ZADD', KEYS[2] }, leases)
end
local unleased = {}
for _, member in ipairs(abandoned) do
  if not isLeased[member] then unleased[#unleased + 1] = member end
end
if #unleased > 0 then callInChunks({ 'ZREM', KEYS[2] }, unleased) end
return leased
