-- Prepended (scripts.ts) to the scripts that read or write a visitor's windows: apply.lua and
-- claim.lua. One window's entries live in the visitor's windows set as `<window><time><member>`
-- (window-entries.ts).

-- Lua prints numbers with 14 significant digits; scores must round-trip exactly.
local function score(x)
  return string.format('%.17g', x)
end

-- A window lives as long as its longest span needs, never shorter than it already does. (PEXPIRE
-- GT would save the PTTL only where the TTL grows, and it never sets one on a key without any:
-- a set this frame created.) False when the key is gone (a trim emptied it), so that the next
-- add gives the set its TTL again.
local function extendTtl(key, ttl)
  ttl = math.max(1, math.ceil(ttl))
  local left = redis.call('PTTL', key)
  if left == -2 then return false end
  if left < ttl then
    redis.call('PEXPIRE', key, ttl)
  end
  return true
end

-- Whether entry time `a` sorts before `b` (same width), byte by byte: Lua's `<` on strings
-- follows the collation of the locale Redis sets at startup, not byte order.
local function textBefore(a, b)
  for k = 1, #a do
    local x, y = string.byte(a, k), string.byte(b, k)
    if x ~= y then return x < y end
  end
  return false
end

-- One window's entries are `<window><time><member>`, scores 0, so the set's text order is window,
-- then time. Re-adding a member moves it, as ZADD on a set of its own did: its old entry, found by
-- reading the window, is removed. The new entry is written before the trim, so a span of 0 or
-- less trims it at once, as before. `new`: the caller knows the member is not in the window yet
-- (apply.lua's `A`), so the window is not read.
local function addToWindow(key, window, time, member, from, new)
  local entry = window .. time .. member
  local present, moved = false, nil
  if not new then
    local memberAt = #window + #time + 1
    for _, old in ipairs(redis.call('ZRANGEBYLEX', key, '[' .. window, '(' .. window .. '{')) do
      if old == entry then
        present = true
      elseif string.sub(old, memberAt) == member then
        moved = moved or {}
        moved[#moved + 1] = old
      end
    end
  end
  -- Added before its old entry goes, so that the set never empties in between (kept-keys.lua).
  if not present then redis.call('ZADD', key, 0, entry) end
  if moved then callInChunks({ 'ZREM', key }, moved) end
  -- The entry just written outlives the trim unless its span is under 1 ms: only then may the
  -- trim empty the set.
  if KEEP_KEYS and textBefore(time, from) then keepTextSet(key) end
  redis.call('ZREMRANGEBYLEX', key, '[' .. window, '(' .. window .. from)
end

local function countWindow(key, window, from, untilTime)
  return redis.call('ZLEXCOUNT', key, '[' .. window .. from, '(' .. window .. untilTime)
end
