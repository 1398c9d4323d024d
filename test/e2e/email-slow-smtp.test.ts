/*
 * A send that outlives its lease is not made twice. Two workers share one queue and one send
 * ledger; the SMTP relay takes longer to accept a message than the lease lasts, and the second
 * worker takes the job over while the first is still in the SMTP transaction. (Audit, email 5:
 * with a lease that lapsed under a live send, the second worker acquired it and sent again.)
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SmtpTransport } from '../../engine/channels/email/smtp/index.js';
import { systemClock } from '../../engine/events/index.js';
import {
  DeliveryLog,
  MailerWorker,
  MemorySendLedger,
  MemorySuppressionList,
  type EmailJob,
  type EmailQueue,
  type EmailSender,
  type SendLedger,
} from '../../engine/mailer/index.js';
import { RedisMailerStore } from '../../engine/mailer/redis/index.js';
import { createLogger } from '../../engine/observability/index.js';
import { MemoryJobQueue } from '../../engine/queue/index.js';
import { CollectingSink } from '../../engine/pipeline/index.js';
import { cartJob } from '../support/email-jobs.js';
import { redisForTests } from '../support/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const LEASE_MS = 300;
const SMTP_REPLY_MS = 1500;

const redis = await redisForTests();
afterAll(async () => {
  if ('stop' in redis) await redis.stop();
});

interface SharedStore {
  queue: EmailQueue;
  ledger: SendLedger;
  close(): Promise<void>;
}

const STORES: Array<{ name: string; skip?: string; open(): Promise<SharedStore> }> = [
  {
    name: 'in-process queue and ledger',
    open: async () => ({ queue: new MemoryJobQueue<EmailJob>(), ledger: new MemorySendLedger(), close: async () => undefined }),
  },
  {
    name: 'Redis queue and ledger',
    ...('skip' in redis ? { skip: redis.skip } : {}),
    open: async () => {
      const store = await RedisMailerStore.connect('url' in redis ? redis.url : '', { prefix: `tw-slow-${randomBytes(4).toString('hex')}`, cluster: false });
      return { queue: store.queue, ledger: store.ledger, close: () => store.close() };
    },
  },
];

describe.each(STORES)('a send slower than its lease, on the $name', ({ skip, open }) => {
  let smtp: SmtpSink;
  let transport: SmtpTransport;
  let store: SharedStore;

  beforeEach(async () => {
    if (skip !== undefined) return;
    smtp = await startSmtpSink({ replyDelayMs: SMTP_REPLY_MS });
    transport = new SmtpTransport({ url: smtp.url });
    store = await open();
  });

  afterEach(async () => {
    if (skip !== undefined) return;
    await store.close();
    await transport.close();
    await smtp.close();
  });

  function worker(consumer: string): MailerWorker {
    const sender: EmailSender = {
      send: (request) =>
        transport.send({ from: request.site.from, to: request.to, subject: 'Your cart', html: '<p>Your cart</p>', text: 'Your cart', headers: {}, messageId: `<${request.triggerId}@tripwire>` }),
    };
    return new MailerWorker(
      {
        queue: store.queue,
        ledger: store.ledger,
        suppressions: new MemorySuppressionList(),
        profiles: { snapshot: async () => { throw new Error('a transactional email asks no consent'); } },
        sender,
        log: new DeliveryLog(new CollectingSink(), systemClock),
        clock: systemClock,
        logger: createLogger('silent'),
      },
      { consumer, leaseMs: LEASE_MS, reclaimAfterMs: 100, pollIntervalMs: 50 },
    );
  }

  test.skipIf(skip !== undefined)('is sent once when another worker takes the job over mid-transaction', async () => {
    const job = cartJob(`slow-${randomBytes(3).toString('hex')}`);
    await store.queue.enqueue({ ...job, request: { ...job.request, transactional: true } });
    const first = worker('first');
    const second = worker('second');

    const sending = first.work();
    // Past the lease and the reclaim age, while the relay has not answered DATA yet.
    await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_MS));
    const takenOver = await second.work();
    await sending;

    expect(takenOver).toBe(1);
    expect(smtp.messages).toHaveLength(1);
    expect(await store.ledger.isSent(job.id)).toBe(true);
  });
});
