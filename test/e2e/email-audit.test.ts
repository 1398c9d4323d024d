/*
 * Audit (area 3, email): defects of the mailer and its consent and suppression rules, each shown
 * end to end on a running engine (embedded, or Redis and ClickHouse servers), with mail going to a
 * real smtp-server and events over the engine's socket.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { identityHmac } from '../../engine/gateway/index.js';
import { SocketClient, event } from '../support/socket-client.js';
import { cartJob, enqueueWithConsent } from '../support/email-jobs.js';
import { eventually, backendVariants, startTestEngine, type TestEngine } from '../support/test-engine.js';

const { variants, urls } = await backendVariants();

interface Received {
  /** RCPT TO addresses of the transaction. */
  to: string[];
  mail: ParsedMail;
}

/** A real SMTP server; `refuse` answers a command with an SMTP error instead of accepting it. */
interface AuditSmtp {
  url: string;
  received: Received[];
  /** Messages whose DATA it read, refused or not. */
  readonly attempts: number;
  close(): Promise<void>;
}

interface Refusals {
  mailFrom?: { code: number; message: string };
  /** Refuses DATA of the first `count` messages with a 4xx, then accepts. */
  firstData?: { code: number; message: string; count: number };
}

async function auditSmtp(refusals: Refusals = {}): Promise<AuditSmtp> {
  const received: Received[] = [];
  let dataSeen = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      if (refusals.mailFrom) {
        callback(Object.assign(new Error(refusals.mailFrom.message), { responseCode: refusals.mailFrom.code }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const index = dataSeen++;
      simpleParser(stream).then(
        (mail) => {
          const refusal = refusals.firstData;
          if (refusal !== undefined && index < refusal.count) {
            callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
            return;
          }
          received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), mail });
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
    received,
    get attempts() {
      return dataSeen;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every cart add of an identified visitor mails them. */
const CART_MAIL = `id: cart-mail
when:
  count: { event: cart_add, per: id, atLeast: 1, within: 1m }
visitor:
  identified: true
then:
  email: { template: cart-abandoned, subject: "Your cart" }
`;

/** The built-in order confirmation, as a folder scenario. */
const ORDER_CONFIRMATION = `id: order-confirmation
priority: 1000
transactional: true
when:
  count: { event: purchase, per: order, atLeast: 1, within: 30d }
visitor: { identified: true }
then:
  email: { template: order-confirmation, subject: "Your order {{ props.order }}" }
`;

const FAST_MAILER = { retryDelay: 50, maxRetryDelay: 200, pollInterval: 50, reclaimAfter: 300, lease: 600 };

let eventIds = 0;

describe.each(variants)('email audit on $backends backends', ({ backends, skip }) => {
  let engine: TestEngine | undefined;
  let smtp: AuditSmtp | undefined;
  let folder: string | undefined;

  async function start(options: { refusals?: Refusals; scenarios?: Record<string, string>; config?: Record<string, unknown> } = {}): Promise<TestEngine> {
    smtp = await auditSmtp(options.refusals);
    folder = await mkdtemp(join(tmpdir(), 'tripwire-email-audit-'));
    for (const [name, text] of Object.entries(options.scenarios ?? {})) await writeFile(join(folder, name), text);
    engine = await startTestEngine(backends, urls, {
      email: { smtpUrl: smtp.url },
      scenarios: { dir: folder },
      policies: { caps: { email: { limit: 50, within: '1d' } } },
      log: { level: 'fatal' },
      ...options.config,
      mailer: { ...FAST_MAILER, ...((options.config?.mailer as Record<string, unknown> | undefined) ?? {}) },
    });
    return engine;
  }

  beforeEach(() => {
    engine = undefined;
    smtp = undefined;
    folder = undefined;
  });
  afterEach(async () => {
    await engine?.close();
    await smtp?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  /** Sends the events in one frame; resolves, once it is acked, with the engine's other replies (error frames). */
  async function send(visitor: string, events: Array<[string, Record<string, unknown>]>): Promise<Array<Record<string, unknown>>> {
    const client = await SocketClient.open(engine!.url, 'demo', visitor);
    client.send(JSON.stringify({ b: events.map(([type, props]) => event(`audit-${++eventIds}`, type, props)) }));
    await client.next((message) => message.k === 'ack');
    client.close();
    return client.received;
  }

  function signedIdentify(email: string): [string, Record<string, unknown>] {
    const secret = engine!.config.sites[0]!.secret;
    return ['identify', { email, hmac: identityHmac(secret, email), traits: { name: 'Ada' } }];
  }

  async function statuses(visitor: string): Promise<string[]> {
    await engine!.sink.flush();
    const rows = await engine!.warehouse.query<{ status: string }>(
      `SELECT status FROM {deliveries} WHERE channel = 'email' AND visitor_id = '${visitor}' ORDER BY time_ms, status`,
    );
    return rows.map((row) => row.status);
  }

  test.skipIf(skip !== undefined)('an identify naming several recipients is refused, so an unverified visitor cannot mail an address on the suppression list', async () => {
    const running = await start({
      scenarios: { 'cart-mail.yaml': CART_MAIL },
      // Email capture pop-ins send unverified addresses: a site that mails them turns verification off.
      config: { sites: [{ key: 'demo', name: 'Demo', secret: 'demo-secret-change-me-please', url: 'https://shop.example', requireVerifiedEmail: false }] },
    });
    await running.mailer.suppressions.add({ site: 'demo', email: 'victim@example.test', reason: 'unsubscribe', at: Date.now(), detail: 'one-click' });

    const replies = await send('mallory', [
      ['identify', { email: 'mallory@example.test, victim@example.test' }],
      ['consent', { email: true }],
      ['cart_add', { id: 'ethiopia-guji', qty: 1 }],
    ]);
    expect(replies).toContainEqual(expect.objectContaining({ k: 'err', c: 'TW_BAD_EVENT', m: expect.stringMatching(/exactly one plain address/) }));
    // The same visitor with one address of their own is mailed, and only there.
    await send('mallory', [['identify', { email: 'mallory@example.test' }], ['cart_add', { id: 'kenya-aa', qty: 1 }]]);

    await eventually(async () => ((await statuses('mallory')).some((status) => ['sent', 'suppressed', 'dead'].includes(status)) ? true : undefined), 10_000, 'the email handled');
    expect(await statuses('mallory')).toContain('sent');
    expect(smtp!.received.map((message) => message.to)).toEqual([['mallory@example.test']]);
  });
  test.skipIf(skip !== undefined)('a sender address refused at MAIL FROM does not put the recipient on the suppression list', async () => {
    const running = await start({ refusals: { mailFrom: { code: 550, message: '5.7.1 Sender address not authorised for this relay' } } });

    await enqueueWithConsent(running, cartJob('sender-refused-1'));

    await eventually(async () => ((await running.mailer.queue.deadLetters()).length > 0 ? true : undefined), 10_000, 'the dead letter');
    // The relay refused the sender (a configuration fault of the shop), not Ada's mailbox.
    expect(await running.mailer.suppressions.find('demo', 'ada@example.test')).toBeUndefined();
  });

  test.skipIf(skip !== undefined)('a message refused at DATA is dead-lettered without putting the recipient on the suppression list', async () => {
    const running = await start({ refusals: { firstData: { code: 554, message: '5.6.0 Message content rejected', count: 1 } } });

    await enqueueWithConsent(running, cartJob('content-refused-1'));

    const [letter] = await eventually(async () => {
      const letters = await running.mailer.queue.deadLetters();
      return letters.length > 0 ? letters : undefined;
    }, 10_000, 'the dead letter');
    expect(letter?.error).toContain('Message content rejected');
    expect(await running.mailer.suppressions.find('demo', 'ada@example.test')).toBeUndefined();
  });

  test.skipIf(skip !== undefined)('an email waiting for its retry is not sent once the visitor has withdrawn consent', async () => {
    const running = await start({
      scenarios: { 'cart-mail.yaml': CART_MAIL },
      refusals: { firstData: { code: 451, message: '4.3.0 try again later', count: 1 } },
      config: { mailer: { retryDelay: 4000, maxRetryDelay: 4000 } },
    });

    await send('waverer', [signedIdentify('ada@example.test'), ['consent', { email: true }], ['cart_add', { id: 'ethiopia-guji', qty: 1 }]]);
    await eventually(() => (smtp!.attempts > 0 ? true : undefined), 10_000, 'the first try refused');
    await send('waverer', [['consent', { email: false }]]);

    await eventually(async () => ((await statuses('waverer')).some((status) => status === 'sent' || status === 'suppressed') ? true : undefined), 10_000, 'the retry handled');
    expect(smtp!.received).toEqual([]);
  });

  test.skipIf(skip !== undefined)('an address that unsubscribed from marketing still gets its order confirmation', async () => {
    const running = await start({ scenarios: { 'order-confirmation.yaml': ORDER_CONFIRMATION } });
    await running.mailer.suppressions.add({ site: 'demo', email: 'ada@example.test', reason: 'unsubscribe', at: Date.now(), detail: 'one-click' });

    await send('buyer', [signedIdentify('ada@example.test'), ['purchase', { order: 'A-1001', value: 27 }]]);

    await eventually(async () => ((await statuses('buyer')).some((status) => status === 'sent' || status === 'suppressed') ? true : undefined), 10_000, 'the confirmation handled');
    expect(await statuses('buyer')).toContain('sent');
    expect(smtp!.received.map((message) => message.mail.subject)).toEqual(['Your order A-1001']);
  });

});

describe('unsubscribes on the embedded defaults', () => {
  const engines: TestEngine[] = [];
  let dataDir: string | undefined;

  afterEach(async () => {
    for (const running of engines.splice(0)) await running.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('an unsubscribe made through the email\'s link is still honoured after the engine restarts', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tripwire-unsubscribe-restart-'));
    const config = { dataDir, log: { level: 'fatal' as const } };
    const first = await startTestEngine('embedded', undefined, config);
    engines.push(first);
    const url = first.mailer.links.unsubscribeUrl({ site: 'demo', trigger: 'trg-1', visitor: 'ada', scenario: 'cart-abandoned', email: 'ada@example.test' });
    const path = new URL(url).pathname;
    const answer = await fetch(`${first.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(answer.status).toBe(200);
    expect(await first.mailer.suppressions.find('demo', 'ada@example.test')).toMatchObject({ reason: 'unsubscribe' });
    await first.close();
    engines.pop();

    const second = await startTestEngine('embedded', undefined, config);
    engines.push(second);

    expect(await second.mailer.suppressions.find('demo', 'ada@example.test')).toMatchObject({ reason: 'unsubscribe' });
  });
});
