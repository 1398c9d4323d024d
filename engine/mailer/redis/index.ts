export { RedisMailerStore } from './redis-mailer-store.js';
export type { RedisMailerStoreOptions } from './redis-mailer-store.js';
export { RedisSendLedger } from './redis-send-ledger.js';
export type { RedisSendLedgerOptions } from './redis-send-ledger.js';
export { RedisSuppressionList } from './redis-suppression-list.js';
