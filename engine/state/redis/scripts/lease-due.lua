-- Hands the caller up to max visitors with timers due, moving each from the due index to the
-- lease set until settle-due.lua (or lease expiry, if the caller died) puts it back.
-- KEYS: 1 due index (member = visitor, score <= that visitor's earliest due), 2 leases (score = lease end)
-- ARGV: now, max, leaseUntil
-- Returns the leased members, earliest due first.

local now, max, leaseUntil = ARGV[1], tonumber(ARGV[2]), ARGV[3]

-- A lease past its end means its holder died between taking and settling: look again now.
local function lease()
  local abandoned = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
  if #abandoned > 0 then keepTimeSetIfEmptied(KEYS[2], #abandoned) end
  for _, member in ipairs(abandoned) do
    redis.call('ZREM', KEYS[2], member)
    redis.call('ZADD', KEYS[1], 'LT', now, member)
  end

  local leased = {}
  local offset = 0
  while #leased < max do
    local page = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', offset, max)
    if #page == 0 then break end
    local stayed = 0
    for _, member in ipairs(page) do
      -- A visitor leased by another caller stays indexed: that caller's settle merges with it.
      if #leased < max and not redis.call('ZSCORE', KEYS[2], member) then
        keepTimeSetIfEmptied(KEYS[1], 1)
        redis.call('ZREM', KEYS[1], member)
        redis.call('ZADD', KEYS[2], leaseUntil, member)
        leased[#leased + 1] = member
      else
        stayed = stayed + 1
      end
    end
    offset = offset + stayed
  end
  return leased
end

return keepingKeys(lease)
