-- Shared by apply.lua and claim.lua (prepended when the scripts load): a visitor's sliding
-- windows, caps and gates, one field each in one hash. A key per window cost ~190 bytes of
-- Redis memory (key, dict and expiry entries) before its first member; a field in a small
-- hash costs its bytes, and the hash stays a compact listpack while fields and values are
-- short (hash-max-listpack-entries 128 and -value 64 by default).
--
--   field 'w' .. name   cmsgpack { until, until - at1, member1, until - at2, member2, ... }: the
--                       members and their times (as offsets: small integers pack in fewer
--                       bytes); `until` is when the window is empty whatever comes later
--   field 'g' .. name   the time the gate opens again
--
-- Expiry is by value against the caller's clock (virtual time works); the hash's PEXPIRE
-- covers its longest-lived field, and fields past their time are swept once the hash grows.

-- Lua prints numbers with 14 significant digits; times must round-trip exactly.
local function score(x)
  return string.format('%.17g', x)
end

-- Event ids (~20 characters) and other long members only need to be told apart: the first 48
-- bits of their SHA-1, as 6 raw bytes, do that within one visitor. Members shorter than the
-- digest are kept as they are, so a kept member never equals a digest.
local DIGEST = 6
local function brief(member)
  if #member < DIGEST then return member end
  local hex = string.sub(redis.sha1hex(member), 1, 2 * DIGEST)
  return (string.gsub(hex, '..', function(byte) return string.char(tonumber(byte, 16)) end))
end

local function extendTtl(key, ttl)
  ttl = math.max(1, math.ceil(ttl))
  if redis.call('PTTL', key) < ttl then
    redis.call('PEXPIRE', key, ttl)
  end
end

-- A visitor rarely holds more than a few dozen live windows and gates; past this many fields
-- a write first drops the ones whose time has passed.
local SWEEP_ABOVE = 32

local function expired(field, value, now)
  if string.sub(field, 1, 1) == 'g' then return tonumber(value) <= now end
  return cmsgpack.unpack(value)[1] <= now
end

local function sweep(hash, now)
  if redis.call('HLEN', hash) <= SWEEP_ABOVE then return end
  local flat = redis.call('HGETALL', hash)
  for i = 1, #flat, 2 do
    if expired(flat[i], flat[i + 1], now) then redis.call('HDEL', hash, flat[i]) end
  end
end

-- The window's members as a flat { at, member, ... } list, empty once its time has passed.
local function readWindow(hash, name, now)
  local packed = redis.call('HGET', hash, 'w' .. name)
  if not packed then return 0, {} end
  local window = cmsgpack.unpack(packed)
  local untilTime = window[1]
  if untilTime <= now then return 0, {} end
  local members = {}
  for i = 2, #window, 2 do
    members[#members + 1] = untilTime - window[i]
    members[#members + 1] = window[i + 1]
  end
  return untilTime, members
end

local function countWithin(members, at, span)
  local count = 0
  for i = 1, #members, 2 do
    if members[i] > at - span and members[i] <= at then count = count + 1 end
  end
  return count
end

-- Adds (or moves) `member` to time `at`, drops members at or before at - span, returns the count.
local function windowAdd(hash, name, member, at, span, now)
  local untilTime, members = readWindow(hash, name, now)
  member = brief(member)
  untilTime = math.max(untilTime, at + span, now + span)
  local kept = {}
  for i = 1, #members, 2 do
    if members[i] > at - span and members[i + 1] ~= member then
      kept[#kept + 1] = members[i]
      kept[#kept + 1] = members[i + 1]
    end
  end
  kept[#kept + 1] = at
  kept[#kept + 1] = member
  local packed = { untilTime }
  for i = 1, #kept, 2 do
    packed[#packed + 1] = untilTime - kept[i]
    packed[#packed + 1] = kept[i + 1]
  end
  sweep(hash, now)
  redis.call('HSET', hash, 'w' .. name, cmsgpack.pack(packed))
  extendTtl(hash, untilTime - now)
  return countWithin(kept, at, span)
end

local function windowCount(hash, name, at, span, now)
  local _, members = readWindow(hash, name, now)
  return countWithin(members, at, span)
end

local function gateOpen(hash, name, now)
  local opensAt = redis.call('HGET', hash, 'g' .. name)
  return (not opensAt) or tonumber(opensAt) <= now
end

local function gateHold(hash, name, ttl, now)
  sweep(hash, now)
  redis.call('HSET', hash, 'g' .. name, score(now + ttl))
  extendTtl(hash, ttl)
end
