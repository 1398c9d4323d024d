/*
 * A send that outlasts the worker's reclaimAfterMs stays that worker's: it is not taken over by
 * the worker sending it (which would find its own lease busy, put the job back and send the
 * refused email again), so it is sent once, and dead-lettered once with one `dead` row. The
 * sender stands in for a relay answering 554 to DATA after a slow transaction. The wait is real
 * time: what is shown is that nothing more happens within several reclaim periods.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, test } from 'vitest';
import type { EmailRequest, SentEmail } from '../../engine/channels/email/index.js';
import { systemClock } from '../../engine/events/index.js';
import { DeliveryLog, MailerWorker, MemorySendLedger, MemorySuppressionList, type EmailJob, type EmailQueue, type SendLedger } from '../../engine/mailer/index.js';
import { RedisMailerStore } from '../../engine/mailer/redis/index.js';
import { createLogger } from '../../engine/observability/index.js';
import { CollectingSink } from '../../engine/pipeline/index.js';
import { MemoryJobQueue } from '../../engine/queue/index.js';
import { cartJob } from '../support/email-jobs.js';
import { redisTargets } from '../support/redis-targets.js';

const redis = await redisTargets();
afterAll(() => redis.stop());

/** Sends `job` through a started worker whose relay refuses it for good after 600 ms; what the relay saw and the rows. */
async function refusedSlowly(queue: EmailQueue, ledger: SendLedger): Promise<{ sends: number; rows: string[]; dead: number }> {
  let sends = 0;
  const sender = {
    send: async (_request: EmailRequest): Promise<SentEmail> => {
      sends++;
      await delay(600);
      throw Object.assign(new Error('554 5.7.1 message refused'), { responseCode: 554, command: 'DATA' });
    },
  };
  const sink = new CollectingSink();
  const worker = new MailerWorker(
    {
      queue,
      ledger,
      suppressions: new MemorySuppressionList(),
      profiles: { snapshot: async () => { throw new Error('a transactional email asks no consent'); } },
      sender,
      log: new DeliveryLog(sink, systemClock),
      clock: systemClock,
      logger: createLogger('silent'),
    },
    { consumer: 'm1', leaseMs: 1000, reclaimAfterMs: 200, pollIntervalMs: 50 },
  );
  const job = cartJob(`refused-${randomBytes(3).toString('hex')}`);
  await queue.enqueue({ ...job, request: { ...job.request, transactional: true } });
  worker.start();
  await delay(3000);
  await worker.stop();
  return { sends, rows: sink.rows.deliveries.map((row) => String(row.status)), dead: (await queue.depth()).dead };
}

describe('an email the relay refuses for good, slowly', () => {
  test('is sent once and dead-lettered once (in process)', async () => {
    const outcome = await refusedSlowly(new MemoryJobQueue<EmailJob>(), new MemorySendLedger());
    expect(outcome).toEqual({ sends: 1, rows: ['failed', 'dead'], dead: 1 });
  });

  for (const target of redis.targets) {
    test.skipIf(target.skip !== undefined)(`is sent once and dead-lettered once (${target.name})`, async () => {
      const prefix = `tw-slow-refusal-${randomBytes(4).toString('hex')}`;
      const store = await RedisMailerStore.connect(target.url, { prefix, cluster: target.cluster });
      try {
        const outcome = await refusedSlowly(store.queue, store.ledger);
        expect(outcome).toEqual({ sends: 1, rows: ['failed', 'dead'], dead: 1 });
      } finally {
        await store.close();
        await target.removeKeys(prefix);
      }
    });
  }
});

describe('an email another worker took over and dealt with while this one was sending it', () => {
  test('is neither dead-lettered nor recorded dead by the worker whose send failed', async () => {
    const queue = new MemoryJobQueue<EmailJob>();
    let refuse: (() => void) | undefined;
    const sender = {
      send: (_request: EmailRequest): Promise<SentEmail> =>
        new Promise((_resolve, reject) => {
          refuse = () => reject(Object.assign(new Error('554 5.7.1 message refused'), { responseCode: 554, command: 'DATA' }));
        }),
    };
    const sink = new CollectingSink();
    const worker = new MailerWorker(
      {
        queue,
        ledger: new MemorySendLedger(),
        suppressions: new MemorySuppressionList(),
        profiles: { snapshot: async () => { throw new Error('a transactional email asks no consent'); } },
        sender,
        log: new DeliveryLog(sink, systemClock),
        clock: systemClock,
        logger: createLogger('silent'),
      },
      { consumer: 'm1', reclaimAfterMs: 60_000, pollIntervalMs: 60_000 },
    );
    const job = cartJob('taken-over');
    await queue.enqueue({ ...job, request: { ...job.request, transactional: true } });
    worker.start();
    try {
      const deadline = Date.now() + 2000;
      while (refuse === undefined && Date.now() < deadline) await delay(5);
      // What a worker reclaiming it after mailer.reclaimAfter does: takes it over and settles it.
      const [taken] = await queue.reclaim('m2', { max: 1, idleMs: 0 });
      await queue.ack(taken!);
      refuse!();
    } finally {
      await worker.stop();
    }

    expect(sink.rows.deliveries.map((row) => String(row.status))).toEqual(['failed']);
    expect(await queue.depth()).toEqual({ ready: 0, held: 0, delayed: 0, dead: 0 });
  });
});

