import { luaScript, type LuaScript } from '../../redis/index.js';

/**
 * Writes a batch of products only if none changed since it was read (each hash's `v` is still
 * the one read, '' for a product that did not exist): all or nothing, so the changes detected
 * from what was read are exactly the changes made. The fan-outs those changes call for are
 * recorded as pending in the same script, so a write is never kept without them.
 * Returns 1 when written, 0 on a conflict.
 * KEYS: 1 the ids set, 2 the pending fan-outs hash, 3.. the product hashes.
 * ARGV: product count, fan-out count, per fan-out: change id, change JSON; then per product:
 * expected version, id, field count, field, value, ...
 */
const SOURCE = `
local n = tonumber(ARGV[1])
local fanOuts = tonumber(ARGV[2])
local first = 3 + 2 * fanOuts
local i = first
for k = 1, n do
  local current = redis.call('HGET', KEYS[k + 2], 'v') or ''
  if current ~= ARGV[i] then
    return 0
  end
  i = i + 3 + 2 * tonumber(ARGV[i + 2])
end
i = first
for k = 1, n do
  local key, id, count = KEYS[k + 2], ARGV[i + 1], tonumber(ARGV[i + 2])
  redis.call('DEL', key)
  redis.call('HSET', key, unpack(ARGV, i + 3, i + 2 + 2 * count))
  redis.call('SADD', KEYS[1], id)
  i = i + 3 + 2 * count
end
if fanOuts > 0 then
  redis.call('HSET', KEYS[2], unpack(ARGV, 3, first - 1))
end
return 1
`;

/** The script, run as `client.script(COMPARE_AND_SET, keys, args)`: 1 when it wrote, 0 on a conflict. */
export const COMPARE_AND_SET: LuaScript = luaScript(SOURCE);
