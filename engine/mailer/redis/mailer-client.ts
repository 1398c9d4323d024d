import type { RedisClientType } from 'redis';

/** The mailer's own Redis connection, shared by its queue, ledger and suppression list. */
export type MailerClient = RedisClientType;
