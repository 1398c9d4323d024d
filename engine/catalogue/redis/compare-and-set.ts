import { luaScript, type LuaScript } from '../../redis/index.js';

/**
 * Writes a batch of products only if none changed since it was read (each hash's `v` is still
 * the one read, '' for a product that did not exist): all or nothing, so the changes detected
 * from what was read are exactly the changes made. Returns 1 when written, 0 on a conflict.
 * KEYS: 1 the ids set, 2.. the product hashes.
 * ARGV: count, then per product: expected version, id, field count, field, value, ...
 */
const SOURCE = `
local n = tonumber(ARGV[1])
local i = 2
for k = 1, n do
  local current = redis.call('HGET', KEYS[k + 1], 'v') or ''
  if current ~= ARGV[i] then
    return 0
  end
  i = i + 3 + 2 * tonumber(ARGV[i + 2])
end
i = 2
for k = 1, n do
  local key, id, count = KEYS[k + 1], ARGV[i + 1], tonumber(ARGV[i + 2])
  redis.call('DEL', key)
  redis.call('HSET', key, unpack(ARGV, i + 3, i + 2 + 2 * count))
  redis.call('SADD', KEYS[1], id)
  i = i + 3 + 2 * count
end
return 1
`;

/** The script, run as `client.script(COMPARE_AND_SET, keys, args)`: 1 when it wrote, 0 on a conflict. */
export const COMPARE_AND_SET: LuaScript = luaScript(SOURCE);
