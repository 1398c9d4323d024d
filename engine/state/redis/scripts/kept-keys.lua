-- Prepended (scripts.ts), first, to the scripts that remove from a key and may touch it again.
-- While a Redis Cluster moves a slot, the node it leaves runs a script only when every key the
-- script names is still there, and then fails any command the script sends to a key that is no
-- longer there ("Script attempted to access a non local key"), keeping the writes made before it.
-- A removal that empties a key would make the script's next command on that key fail halfway
-- through a visitor's frame, its events already marked seen: their resend is taken for a
-- duplicate and the rest of the frame is lost. So on a cluster (KEEP_KEYS, set by scripts.ts) a
-- script gives a key a placeholder before a removal that may empty it, and removes the
-- placeholders last: no key it names empties before it ends. A removal that cannot empty the key
-- (fewer fields than the key holds; a trim after an add the trim spares) skips it. Off a cluster
-- nothing moves, and nothing is kept.
-- The placeholder is the empty field or member, which no stored name is: hash readers skip it
-- (isPlaceholder) in case a failed release left it. In a set ordered by text (windows, score 0)
-- it sorts before every entry; in a set ordered by time it is scored +inf, after every time.

local PLACEHOLDER = ''
local keptKeys, keptKinds = {}, {}

local function isPlaceholder(field)
  return field == PLACEHOLDER
end

local function keep(key, kind, placeholderScore)
  if keptKinds[key] then return end
  if kind == 'hash' then
    redis.call('HSET', key, PLACEHOLDER, '')
  else
    redis.call('ZADD', key, placeholderScore, PLACEHOLDER)
  end
  keptKinds[key] = kind
  keptKeys[#keptKeys + 1] = key
end

-- Keeps a key of `size` fields or members before `count` of them are removed, when they may be
-- all it holds. Only then: a placeholder is a write, and under maxmemory a script's first write
-- is refused, where a removal is not (where it can, a script makes a key's removal its last
-- command on it instead, as lease-due.lua and settle-due.lua do, and needs no placeholder). A key
-- of size 0 is missing now, so it was when the script started, which a node whose slot is moving
-- does not allow: no move, nothing to keep.
local function keepWhenEmptied(key, kind, size, count, placeholderScore)
  if KEEP_KEYS and size > 0 and size <= count then keep(key, kind, placeholderScore) end
end

-- Before removing `count` fields from a hash.
local function keepHashIfEmptied(key, count)
  if KEEP_KEYS and not keptKinds[key] then keepWhenEmptied(key, 'hash', redis.call('HLEN', key), count) end
end

-- Before removing `count` members from a sorted set of times (the placeholder sorts after every time).
local function keepTimeSetIfEmptied(key, count)
  if KEEP_KEYS and not keptKinds[key] then keepWhenEmptied(key, 'zset', redis.call('ZCARD', key), count, '+inf') end
end

-- Before a trim whose extent the script does not know: of a set ordered by text (score 0, the
-- placeholder sorting first), or by time.
local function keepTextSet(key)
  if KEEP_KEYS then keep(key, 'zset', 0) end
end
local function keepTimeSet(key)
  if KEEP_KEYS then keep(key, 'zset', '+inf') end
end

local function isKept(key)
  return keptKinds[key] ~= nil
end

local function releaseKept()
  local keys, kinds = keptKeys, keptKinds
  keptKeys, keptKinds = {}, {}
  for _, key in ipairs(keys) do
    if kinds[key] == 'hash' then
      redis.call('HDEL', key, PLACEHOLDER)
    else
      redis.call('ZREM', key, PLACEHOLDER)
    end
  end
end

-- Runs body(...) and then releases the kept keys, whether body failed or not; raises body's error.
local function keepingKeys(body, ...)
  if not KEEP_KEYS then return body(...) end
  local ok, result = pcall(body, ...)
  local released, failure = pcall(releaseKept)
  if not ok then error(result, 0) end
  if not released then error(failure, 0) end
  return result
end
