-- Prepended (scripts.ts), first, to the scripts that remove from a key and may touch it again.
-- While a Redis Cluster moves a slot, the node it leaves runs a script only when every key the
-- script names is still there, and then fails any command the script sends to a key that is no
-- longer there ("Script attempted to access a non local key"), keeping the writes made before it.
-- A removal that empties a key would make the script's next command on that key fail halfway
-- through a visitor's frame, its events already marked seen: their resend is taken for a
-- duplicate and the rest of the frame is lost. So on a cluster (KEEP_KEYS, set by scripts.ts) a
-- script gives a key a placeholder before its first removal that may empty the key, and removes
-- the placeholders last: no key it names empties before it ends. Removals that cannot empty a
-- key (a trim after an add the trim spares) skip it, since a placeholder costs two commands. Off
-- a cluster nothing moves, and nothing is kept.
-- The placeholder is the empty field or member, which no stored name is: hash readers skip it
-- (isPlaceholder) in case a failed release left it. In a set ordered by text (windows, score 0)
-- it sorts before every entry; in a set ordered by time it is scored +inf, after every time.

local PLACEHOLDER = ''
local keptKeys, keptKinds = {}, {}

local function isPlaceholder(field)
  return field == PLACEHOLDER
end

local function keep(key, kind, placeholderScore)
  if not KEEP_KEYS or keptKinds[key] then return end
  if kind == 'hash' then
    redis.call('HSET', key, PLACEHOLDER, '')
  else
    redis.call('ZADD', key, placeholderScore, PLACEHOLDER)
  end
  keptKinds[key] = kind
  keptKeys[#keptKeys + 1] = key
end

-- Before the first removal from a hash, a sorted set of score 0 (text order), or a sorted set of times.
local function keepHash(key) keep(key, 'hash') end
local function keepTextSet(key) keep(key, 'zset', 0) end
local function keepTimeSet(key) keep(key, 'zset', '+inf') end

-- Before removing `count` fields from a hash, when they may be all it holds (HLEN, one cheap
-- command on a cluster, instead of a placeholder's two on every removal). A key missing here
-- was missing when the script started, which a moving slot's node does not allow: no move.
local function keepIfEmptied(key, count)
  if not KEEP_KEYS or keptKinds[key] then return end
  local fields = redis.call('HLEN', key)
  if fields > 0 and fields <= count then keepHash(key) end
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
  local ok, result = pcall(body, ...)
  local released, failure = pcall(releaseKept)
  if not ok then error(result, 0) end
  if not released then error(failure, 0) end
  return result
end
