-- Prepended (scripts.ts) to the scripts that pass a list of any length to one command. Redis's
-- Lua unpacks fewer than 8,000 values into one call, and nothing caps how many fields (profile
-- traits, timers, gates) a visitor holds, so long lists go as several calls of CHUNK values.

local CHUNK = 1000

-- The command `head` (its name, key and leading arguments) followed by `values`, in chunks; pairs
-- (score, member) stay whole, CHUNK being even.
local function callInChunks(head, values)
  if #head == 2 and #values <= CHUNK then
    redis.call(head[1], head[2], unpack(values))
    return
  end
  for first = 1, #values, CHUNK do
    local args = { unpack(head) }
    for i = first, math.min(first + CHUNK - 1, #values) do args[#args + 1] = values[i] end
    redis.call(unpack(args))
  end
end
