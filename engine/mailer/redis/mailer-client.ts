import type { RedisConnection } from '../../redis/index.js';

/** The mailer's own Redis connection, shared by its queue, ledger and suppression list. */
export type MailerClient = RedisConnection;
