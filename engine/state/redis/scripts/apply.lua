-- The frames of one event-loop turn, of any visitors, in submission order (frames of one
-- visitor run in that order, so the result equals sequential calls). Per frame: skip event ids
-- already seen, run every other event's ops in order, return one number per op and the profile.
-- KEYS: per frame, its own keys: 1 seen ids, 2 profile and cart (one hash; a cart field starts
-- with byte 1, visitor-hash.ts), 3 timers (hash: timer → its due, a space, its payload),
-- 4 windows (sorted set of every window and cap, window-entries.ts), and for a frame with
-- conditional claims 5 gates (hash: gate → the time it opens again).
-- On a Redis Cluster, the frames of visitors in different slots of one node come in one call
-- that declares no KEYS: each frame's keys then follow the frames' fields at the end of ARGV, in
-- the same order (see "Frames of one node" below).
-- ARGV: dedupeHorizon, profileTtl, frameCount, then per frame: keyCount, and the frame's fields
-- as one JSON array of strings (one argument per frame: node-redis writes and Redis parses every
-- argument separately, which cost more than cjson.decode of one): now, eventCount, withProfile
-- (1 or 0), then per event: id, opCount, windowsTtl (the longest TTL its window.adds need, 0
-- without any), then per op an opcode and its fields:
--   a window time member from until       (window.add)    t timer due payload   (timer.arm)
--   A the same, for a member known not to be in the window yet (no look for its old entry)
--   c window from until                  (window.count)  x timer               (timer.cancel)
--   s field value             (hash.set)         d field               (hash.delete)
--   z p|c                     (hash.clear)       n field value         (hash.setIfAbsent)
--   i field by                (hash.increment)   X prefix              (timer.cancelPrefix)
--   k field from              (hash.copy)        y timer dueBy         (timer.cancel, due by dueBy only)
--   Y prefix dueBy            (timer.cancelPrefix, due by dueBy only)
--   (field is the stored name, cart fields marked; z p clears the profile's fields, z c the
--   cart's; window is a window id, time, from and until are entry times, window-entries.ts: the
--   window counts entries in [from, until) and drops those before from)
-- then claimCount, and per conditional claim: event and op (0-based: whose result decides),
-- equals (empty: none), atLeast, lane, checkCount, then its checks (claim-checks.lua), which
-- count from the frame's now.
-- Returns per frame { outcomes, profile, claims, cart } (outcomes: per event 1 when it was a
-- duplicate else 0, then its op results; profile: the hash's fields and values without the
-- cart's, empty when withProfile is 0; claims: per conditional claim -1 granted, -2 not tried,
-- else the index of its first failing check; cart: the cart's fields and values, still marked,
-- when a claim was granted, else nil), or the error
-- message of a frame that failed. A failed frame keeps the writes it made before the error (as a
-- single-frame call always did); the other frames of the batch are not affected by it.

local dedupeHorizon = tonumber(ARGV[1])
local profileTtl = tonumber(ARGV[2])
local frameCount = tonumber(ARGV[3])
-- Set per frame by applyFrame: the frame's time and its first key's index minus one, the TTL
-- already given to the frame's windows set in this run, and whether its hash's TTL was refreshed;
-- per event: the TTL its window.adds need.
local now, base, windowsTtl, hashTtlSet, eventWindowsTtl = 0, 0, -math.huge, false, 0

-- Frames of one node. A call that declares no keys carries several slots' frames, which only an
-- undeclared key may name (Redis checks declared keys for one slot before a script runs, but
-- lets a script without flags reach any key its node serves). K holds the keys either way.
local K, keysInArgv = KEYS, #KEYS == 0
if keysInArgv then
  K = {}
  for j = 4 + 2 * frameCount, #ARGV do K[#K + 1] = ARGV[j] end
end
-- The fields of the frame being applied (its JSON argument, decoded).
local A = {}
local CART = 1

local fieldCount = { a = 5, A = 5, c = 3, t = 3, x = 1, y = 2, s = 2, d = 1, z = 1, n = 2, i = 2, X = 1, Y = 2, k = 2 }

-- Profile and cart share the hash and its TTL: refreshed on the frame's first write of either
-- (a frame's writes are microseconds apart), and again on the first write after a removal, which
-- may have deleted the emptied hash and its TTL with it.
local function refreshHashTtl(hash)
  if not hashTtlSet then
    redis.call('PEXPIRE', hash, math.max(1, math.ceil(profileTtl)))
    hashTtlSet = true
  end
end

-- A visitor has a handful of profile and cart fields: scanning them beats a key per hash.
local function clearFields(hash, cart)
  local fields, cleared = redis.call('HKEYS', hash), {}
  for _, field in ipairs(fields) do
    if not isPlaceholder(field) and (string.byte(field, 1) == CART) == cart then cleared[#cleared + 1] = field end
  end
  if #cleared == 0 then return end
  keepWhenEmptied(hash, 'hash', #fields, #cleared)
  callInChunks({ 'HDEL', hash }, cleared)
end

-- The profile's and the cart's fields and values, from one read of the hash; each empty unless wanted.
local function hashParts(hash, withProfile, withCart)
  local profile, cart = {}, {}
  if not (withProfile or withCart) then return profile, cart end
  local fields = redis.call('HGETALL', hash)
  for i = 1, #fields, 2 do
    local part
    if isPlaceholder(fields[i]) then
      part = nil
    elseif string.byte(fields[i], 1) == CART then
      if withCart then part = cart end
    elseif withProfile then
      part = profile
    end
    if part then
      part[#part + 1] = fields[i]
      part[#part + 1] = fields[i + 1]
    end
  end
  return profile, cart
end

local NOT_TRIED = -2

-- A timer's due, from its value in the timers hash (its due, a space, its payload).
local function timerDue(value)
  return tonumber(string.sub(value, 1, string.find(value, ' ', 1, true) - 1))
end

local function isTimerOf(timer, prefix)
  return timer == prefix or string.sub(timer, 1, #prefix + 1) == prefix .. ':'
end

-- The frame's conditional claims, from field i on: of a lane, those whose condition holds are
-- tried in order, from the frame's now, until one is granted. `starts`: per event (1-based), the index in `outcomes` of
-- its duplicate flag, its op results following it. Most frames fire nothing: a claim's checks
-- are read only when it is tried.
local function claimConditionally(i, outcomes, starts)
  local claimCount = tonumber(A[i])
  i = i + 1
  local results, lanes, granted, swept = {}, {}, false, false
  for c = 1, claimCount do
    local event, op, equals, lane = tonumber(A[i]) + 1, tonumber(A[i + 1]) + 1, tonumber(A[i + 2]), A[i + 4]
    local checkCount = tonumber(A[i + 5])
    local start = starts[event]
    local value = start and outcomes[start + op]
    local holds = start ~= nil and outcomes[start] == 0 and value ~= nil
      and ((equals ~= nil and value == equals) or (equals == nil and value >= tonumber(A[i + 3])))
    if holds and not lanes[lane] then
      local checks
      checks, i = readChecks(A, i + 6, checkCount)
      results[c], swept = tryClaim(K[base + 5], K[base + 4], checks, now, swept)
      if results[c] == -1 then
        lanes[lane] = true
        granted = true
      end
    else
      results[c] = NOT_TRIED
      i = skipChecks(A, i + 6, checkCount)
    end
  end
  return results, granted
end

local function run(code, i)
  local timers = K[base + 3]
  if code == 'a' or code == 'A' then
    local key, window = K[base + 4], A[i]
    addToWindow(key, window, A[i + 1], A[i + 2], A[i + 3], code == 'A')
    -- The set lives as long as its longest window needs: a window that is never written again
    -- leaves its entries until then, out of every count's time range. The event's adds share
    -- one TTL, their longest, given at its first add (one PTTL per event, not per add).
    if eventWindowsTtl > windowsTtl and extendTtl(key, eventWindowsTtl) then
      windowsTtl = eventWindowsTtl
    end
    return countWindow(key, window, A[i + 3], A[i + 4])
  elseif code == 'c' then
    return countWindow(K[base + 4], A[i], A[i + 1], A[i + 2])
  elseif code == 't' then
    -- One hash holds due and payload: a second key per visitor (a due-ordered set) cost more
    -- memory than take-timers.lua scanning a visitor's handful of timers.
    redis.call('HSET', timers, A[i], score(tonumber(A[i + 1])) .. ' ' .. A[i + 2])
  elseif code == 'X' then
    -- A visitor holds a handful of timers: scanning them is cheaper than an index per prefix.
    local prefix = A[i]
    local names, cancelled = redis.call('HKEYS', timers), {}
    for _, timer in ipairs(names) do
      if isTimerOf(timer, prefix) then cancelled[#cancelled + 1] = timer end
    end
    if #cancelled > 0 then
      keepWhenEmptied(timers, 'hash', #names, #cancelled)
      callInChunks({ 'HDEL', timers }, cancelled)
    end
  elseif code == 'y' then
    local value = redis.call('HGET', timers, A[i])
    if value and timerDue(value) <= tonumber(A[i + 1]) then
      keepHashIfEmptied(timers, 1)
      redis.call('HDEL', timers, A[i])
    end
  elseif code == 'Y' then
    local prefix, dueBy = A[i], tonumber(A[i + 1])
    local fields, cancelled = redis.call('HGETALL', timers), {}
    for f = 1, #fields, 2 do
      if isTimerOf(fields[f], prefix) and timerDue(fields[f + 1]) <= dueBy then cancelled[#cancelled + 1] = fields[f] end
    end
    if #cancelled > 0 then
      keepWhenEmptied(timers, 'hash', #fields / 2, #cancelled)
      callInChunks({ 'HDEL', timers }, cancelled)
    end
  elseif code == 's' then
    local hash = K[base + 2]
    redis.call('HSET', hash, A[i], A[i + 1])
    refreshHashTtl(hash)
  elseif code == 'd' then
    keepHashIfEmptied(K[base + 2], 1)
    redis.call('HDEL', K[base + 2], A[i])
    hashTtlSet = false
  elseif code == 'z' then
    clearFields(K[base + 2], A[i] == 'c')
    hashTtlSet = false
  elseif code == 'n' then
    local hash = K[base + 2]
    local set = redis.call('HSETNX', hash, A[i], A[i + 1])
    refreshHashTtl(hash)
    return set
  elseif code == 'k' then
    local hash = K[base + 2]
    local value = redis.call('HGET', hash, A[i + 1])
    if value then
      redis.call('HSET', hash, A[i], value)
      refreshHashTtl(hash)
    else
      keepHashIfEmptied(hash, 1)
      redis.call('HDEL', hash, A[i])
      hashTtlSet = false
    end
  elseif code == 'i' then
    -- A count that falls to zero or below is removed, so a cart line leaves with its last unit.
    local hash = K[base + 2]
    local value = redis.call('HINCRBY', hash, A[i], tonumber(A[i + 1]))
    if value <= 0 then
      keepHashIfEmptied(hash, 1)
      redis.call('HDEL', hash, A[i])
      hashTtlSet = false
      return 0
    end
    refreshHashTtl(hash)
    return value
  end
  return 0
end

-- A duplicate is an id seen within (now - horizon, now]. ZADD NX records a new id and tells a
-- known one in one call; only a known id's time is read, and one at or before now - horizon is
-- forgotten: it counts as new and is recorded at now.
local function isDuplicate(seen, id)
  if redis.call('ZADD', seen, 'NX', score(now), id) == 1 then return false end
  local at = tonumber(redis.call('ZSCORE', seen, id))
  if at > now - dedupeHorizon then return true end
  redis.call('ZADD', seen, score(now), id)
  return false
end

-- Forgotten ids only cost memory (isDuplicate reads an id's time): the set is trimmed on about
-- one frame in TRIM_EVERY, picked by the frame's time and its first id (neither a clock step
-- alone nor a client's choice of ids alone skips every trim), and expires a horizon after its last
-- write. So it holds the horizon's ids and about TRIM_EVERY frames' worth of older ones.
local TRIM_EVERY = 8
local function trimsSeen(firstId)
  return (math.floor(now) + (string.byte(firstId, -1) or 0)) % TRIM_EVERY == 0
end

-- Consecutive timer.cancel ops (an event's absence scenarios) are one HDEL; each results 0.
local function cancelTimers(i, opCount, op, outcomes)
  local timers = { A[i + 1] }
  outcomes[#outcomes + 1] = 0
  i = i + 2
  while op < opCount and A[i] == 'x' do
    timers[#timers + 1] = A[i + 1]
    outcomes[#outcomes + 1] = 0
    op = op + 1
    i = i + 2
  end
  keepHashIfEmptied(K[base + 3], #timers)
  callInChunks({ 'HDEL', K[base + 3] }, timers)
  return i, op
end

-- A frame of one node's call touches its keys first, all in one command: a key this node does not
-- serve (the slot moved, or is moving and the key has left) turns the frame away before it wrote
-- anything, marked TW_NOT_ON_NODE (apply-frame.ts, whatever words the server's version uses), and
-- the engine sends that frame again on its own, routed by its declared keys.
local function checkOnNode(keyCount)
  local served, failure = pcall(redis.call, 'EXISTS', unpack(K, base + 1, base + keyCount))
  if not served then
    error('TW_NOT_ON_NODE ' .. (type(failure) == 'table' and failure.err or tostring(failure)), 0)
  end
end

local function applyFrame(json, keyCount)
  if keysInArgv then checkOnNode(keyCount) end
  A = cjson.decode(json)
  local i = 1
  local seen = K[base + 1]
  now = tonumber(A[i])
  windowsTtl = -math.huge
  hashTtlSet = false
  local eventCount = tonumber(A[i + 1])
  local withProfile = A[i + 2] == '1'
  i = i + 3
  local trims = eventCount > 0 and trimsSeen(A[i])
  local outcomes, starts = {}, {}
  for event = 1, eventCount do
    local id, opCount = A[i], tonumber(A[i + 1])
    eventWindowsTtl = tonumber(A[i + 2])
    i = i + 3
    local duplicate = isDuplicate(seen, id)
    starts[event] = #outcomes + 1
    outcomes[#outcomes + 1] = duplicate and 1 or 0
    local op = 1
    while op <= opCount do
      local code = A[i]
      if not fieldCount[code] then
        error('apply.lua: unknown op code ' .. tostring(code))
      end
      if code == 'x' and not duplicate then
        i, op = cancelTimers(i, opCount, op, outcomes)
      else
        outcomes[#outcomes + 1] = duplicate and 0 or run(code, i + 1)
        i = i + 1 + fieldCount[code]
      end
      op = op + 1
    end
  end
  if eventCount > 0 then
    -- Trimmed once the frame's ids are recorded, each within the horizon: the set cannot empty
    -- (kept-keys.lua), unless the horizon is not positive.
    if trims then
      if dedupeHorizon <= 0 then keepTimeSet(seen) end
      redis.call('ZREMRANGEBYSCORE', seen, '-inf', score(now - dedupeHorizon))
    end
    redis.call('PEXPIRE', seen, math.max(1, math.ceil(dedupeHorizon)))
  end
  local claims, granted = {}, false
  if tonumber(A[i]) > 0 then claims, granted = claimConditionally(i, outcomes, starts) end
  local profile, cart = hashParts(K[base + 2], withProfile, granted)
  return { outcomes, profile, claims, granted and cart or false }
end

-- redis.call raises a table { err = message }; error() raises a string.
local function message(failure)
  if type(failure) == 'table' and failure.err then return failure.err end
  return tostring(failure)
end

local replies = {}
for frame = 1, frameCount do
  local ok, reply = pcall(keepingKeys, applyFrame, ARGV[3 + frame * 2], tonumber(ARGV[2 + frame * 2]))
  replies[frame] = ok and reply or message(reply)
  base = base + tonumber(ARGV[2 + frame * 2])
end
return replies
