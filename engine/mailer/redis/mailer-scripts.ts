import { luaScript as script } from '../../redis/index.js';

/** KEYS: ledger key. ARGV: consumer, lease ms. Returns {state, ms until the lease ends}. */
export const BEGIN_SEND = script(`
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], 'sending:' .. ARGV[1], 'PX', ARGV[2])
  return {'acquired', 0}
end
if v == 'sent' then return {'sent', 0} end
return {'busy', redis.call('PTTL', KEYS[1])}`);

/** KEYS: ledger key. ARGV: consumer, lease ms. 1 when the consumer held the lease and it was extended. */
export const RENEW_SEND = script(`
if redis.call('GET', KEYS[1]) == 'sending:' .. ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`);

/** KEYS: ledger key. ARGV: consumer. */
export const RELEASE_SEND = script(`
if redis.call('GET', KEYS[1]) == 'sending:' .. ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);
