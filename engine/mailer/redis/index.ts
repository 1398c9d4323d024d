export { RedisMailerStore } from './redis-mailer-store.js';
export type { RedisMailerStoreOptions } from './redis-mailer-store.js';
export { RedisEmailQueue } from './redis-email-queue.js';
export type { RedisEmailQueueOptions } from './redis-email-queue.js';
export { RedisSendLedger } from './redis-send-ledger.js';
export type { RedisSendLedgerOptions } from './redis-send-ledger.js';
export { RedisSuppressionList } from './redis-suppression-list.js';
