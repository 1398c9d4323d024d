/*
 * The mailer end to end on a running engine: jobs go through the real queue (in process, or
 * Redis Streams), the engine's worker sends over SMTP to a real smtp-server, and every state
 * change lands in the warehouse (chdb, or a ClickHouse server).
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { cartJob, enqueueWithConsent } from '../support/email-jobs.js';
import { eventually, backendVariants, startTestEngine, type TestEngine } from '../support/test-engine.js';

const { variants, urls } = await backendVariants();

/** An SMTP server that answers each message with the next scripted reply, then accepts. */
interface ScriptedSmtp {
  url: string;
  /** Messages it accepted (250), parsed. */
  accepted: ParsedMail[];
  attempts: number;
  close(): Promise<void>;
}

async function scriptedSmtp(refusals: Array<{ code: number; message: string }>): Promise<ScriptedSmtp> {
  const accepted: ParsedMail[] = [];
  const state = { attempts: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const refusal = refusals[0];
      if (refusal !== undefined && refusal.code === 550 && address.address.startsWith('gone')) {
        state.attempts++;
        callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
        return;
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const refusal = refusals[state.attempts++];
          if (refusal !== undefined && refusal.code !== 550) {
            callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
            return;
          }
          accepted.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    get attempts() {
      return state.attempts;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function statuses(engine: TestEngine, trigger: string): Promise<string[]> {
  await engine.sink.flush();
  const rows = await engine.warehouse.query<{ status: string }>(
    `SELECT status FROM {deliveries} WHERE trigger_id = '${trigger}' ORDER BY time_ms, status`,
  );
  return rows.map((row) => row.status);
}

const FAST_MAILER = { retryDelay: 50, maxRetryDelay: 200, pollInterval: 50, reclaimAfter: 300, lease: 600 };

describe.each(variants)('mailer delivery on $backends backends', ({ backends, skip }) => {
  let engine: TestEngine | undefined;
  let smtp: ScriptedSmtp | undefined;

  async function start(refusals: Array<{ code: number; message: string }>, mailer: Record<string, unknown> = {}): Promise<TestEngine> {
    smtp = await scriptedSmtp(refusals);
    engine = await startTestEngine(backends, urls, {
      email: { smtpUrl: smtp.url },
      mailer: { ...FAST_MAILER, ...mailer },
      // Refused sends are logged at warn and error; here they are the point, not news.
      log: { level: 'fatal' },
    });
    return engine;
  }

  beforeEach(() => {
    engine = undefined;
    smtp = undefined;
  });
  afterEach(async () => {
    await engine?.close();
    await smtp?.close();
  });

  test.skipIf(skip !== undefined)('an SMTP server that refuses the first two attempts still ends with exactly one email', async () => {
    const running = await start([
      { code: 451, message: 'try again later' },
      { code: 421, message: 'service not available' },
    ]);

    await enqueueWithConsent(running, cartJob('flaky-1'));

    await eventually(() => (smtp!.accepted.length > 0 ? true : undefined), 10_000, 'the email on the third try');
    await eventually(async () => ((await statuses(running, 'flaky-1')).includes('sent') ? true : undefined), 5000, 'the sent row');
    expect(smtp!.accepted).toHaveLength(1);
    expect(smtp!.attempts).toBe(3);
    expect((await statuses(running, 'flaky-1')).sort()).toEqual(['failed', 'failed', 'retried', 'retried', 'sent']);
    expect(await running.mailer.queue.depth()).toEqual({ ready: 0, held: 0, delayed: 0, dead: 0 });
  });

  test.skipIf(skip !== undefined)('a job abandoned by a worker that claimed it is sent once by another', async () => {
    const running = await start([]);
    await enqueueWithConsent(running, cartJob('abandoned-1'));
    // A worker that claimed the job and took the send lease, then died before sending.
    const [claimed] = await running.mailer.queue.claim('ghost-worker', { max: 10 });
    expect(claimed?.job.id).toBe('abandoned-1');
    expect(await running.mailer.ledger.begin('abandoned-1', 'ghost-worker', 600)).toEqual({ state: 'acquired' });

    await eventually(() => (smtp!.accepted.length > 0 ? true : undefined), 10_000, 'the reclaimed email');

    await eventually(async () => ((await running.mailer.queue.depth()).held === 0 ? true : undefined), 5000, 'the ack');
    expect(smtp!.accepted).toHaveLength(1);
    expect(smtp!.accepted[0]?.messageId).toBe('<abandoned-1@tripwire>');
    expect(await running.mailer.ledger.isSent('abandoned-1')).toBe(true);
  });

  test.skipIf(skip !== undefined)('the same trigger enqueued twice is sent once', async () => {
    const running = await start([]);

    await enqueueWithConsent(running, cartJob('twice-1'));
    await enqueueWithConsent(running, cartJob('twice-1'));

    await eventually(async () => ((await running.mailer.queue.depth()).ready + (await running.mailer.queue.depth()).held === 0 ? true : undefined), 5000, 'both jobs handled');
    expect(smtp!.accepted).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('a refused recipient is dead-lettered at once, suppressed as a bounce, and an operator can replay it', async () => {
    const running = await start([{ code: 550, message: 'no such user' }], { attempts: 5 });

    await enqueueWithConsent(running, cartJob('bounce-1', 'gone@example.test'));

    const [letter] = await eventually(async () => {
      const letters = await running.mailer.queue.deadLetters();
      return letters.length > 0 ? letters : undefined;
    }, 10_000, 'the dead letter');
    expect(letter?.job.id).toBe('bounce-1');
    expect(letter?.error).toContain('no such user');
    expect(await running.mailer.suppressions.find('demo', 'gone@example.test')).toMatchObject({ reason: 'bounce' });
    await eventually(async () => ((await statuses(running, 'bounce-1')).includes('dead') ? true : undefined), 5000, 'the dead row');
    expect((await statuses(running, 'bounce-1')).sort()).toEqual(['dead', 'failed']);

    await running.mailer.suppressions.remove('demo', 'gone@example.test');
    expect(await running.mailer.queue.replay('bounce-1')).toBe(true);
    running.mailer.worker.wake();

    await eventually(async () => ((await running.mailer.queue.deadLetters()).length === 1 ? true : undefined), 10_000, 'the replayed job dead again');
    expect(smtp!.accepted).toHaveLength(0);
  });

  test.skipIf(skip !== undefined)('a suppressed address gets nothing, and the suppression is recorded', async () => {
    const running = await start([]);
    await running.mailer.suppressions.add({ site: 'demo', email: 'ada@example.test', reason: 'complaint', at: Date.now(), detail: 'feedback loop' });

    await enqueueWithConsent(running, cartJob('suppressed-1'));

    await eventually(async () => ((await statuses(running, 'suppressed-1')).includes('suppressed') ? true : undefined), 5000, 'the suppressed row');
    expect(smtp!.accepted).toHaveLength(0);
  });
});
