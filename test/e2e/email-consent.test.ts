/*
 * Consent, identity and the links of a marketing email, end to end: a real engine (embedded or
 * on Redis and ClickHouse servers), events over its socket, mail to a real SMTP server parsed
 * with mailparser, and the links followed over HTTP.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { identityHmac } from '../../engine/gateway/index.js';
import { SocketClient, event } from '../support/socket-client.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { eventually, backendVariants, startTestEngine, type TestEngine } from '../support/test-engine.js';

const { variants, urls } = await backendVariants();

/** Every product an identified visitor adds to the cart mails them, so one visitor can be mailed again and again. */
const CART_MAIL = `id: cart-mail
when:
  count:
    event: cart_add
    per: id
    atLeast: 1
    within: 1m
visitor:
  identified: true
then:
  email:
    template: cart-abandoned
    subject: "Your cart at {{ site.name }}"
    variables:
      code: SAVE10
`;

let eventIds = 0;

describe.each(variants)('email consent and links on $backends backends', ({ backends, skip }) => {
  let engine: TestEngine;
  let smtp: SmtpSink;
  let folder: string;
  let mail: ParsedMail;

  beforeAll(async () => {
    if (skip !== undefined) return;
    folder = await mkdtemp(join(tmpdir(), 'tripwire-consent-'));
    await writeFile(join(folder, 'cart-mail.yaml'), CART_MAIL);
    smtp = await startSmtpSink();
    engine = await startTestEngine(backends, urls, {
      email: { smtpUrl: smtp.url },
      scenarios: { dir: folder },
      policies: { caps: { email: { limit: 50, within: '1d' } } },
      mailer: { pollInterval: 50 },
    });
  });

  afterAll(async () => {
    await engine?.close();
    await smtp?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  async function send(visitor: string, events: Array<[string, Record<string, unknown>]>): Promise<void> {
    const client = await SocketClient.open(engine.url, 'demo', visitor);
    client.send(JSON.stringify({ b: events.map(([type, props]) => event(`e${++eventIds}`, type, props)) }));
    await client.next((message) => message.k === 'ack');
    client.close();
  }

  function identify(email: string, signed: boolean): [string, Record<string, unknown>] {
    const secret = engine.config.sites[0]!.secret;
    return ['identify', signed ? { email, hmac: identityHmac(secret, email), traits: { name: 'Ada' } } : { email, traits: { name: 'Mallory' } }];
  }

  const cartAdd: [string, Record<string, unknown>] = ['cart_add', { id: 'ethiopia-guji', name: 'Cheap coffee', price: 0.01, qty: 2 }];
  const consent: [string, Record<string, unknown>] = ['consent', { email: true }];

  async function rows<Row>(sql: string): Promise<Row[]> {
    await engine.sink.flush();
    return engine.warehouse.query<Row>(sql);
  }

  function mailsTo(address: string): ParsedMail[] {
    return smtp.messages.filter((message) => (message.to && 'text' in message.to ? message.to.text : '').includes(address));
  }

  function header(message: ParsedMail, name: string): string {
    const line = message.headerLines.find((item) => item.key === name.toLowerCase())?.line ?? '';
    return line.slice(line.indexOf(':') + 1).replace(/\r?\n\s+/g, ' ').trim();
  }

  function unsubscribeUrl(message: ParsedMail): string {
    const match = /<(http[^>]+)>/.exec(header(message, 'List-Unsubscribe'));
    if (!match) throw new Error(`no unsubscribe URL in ${header(message, 'List-Unsubscribe')}`);
    return match[1]!;
  }

  test.skipIf(skip !== undefined)('an identify without the site\'s signature gets no email', async () => {
    await send('stranger', [identify('victim@example.test', false), consent, cartAdd]);

    const [trigger] = await eventually(async () => {
      const found = await rows<{ status: string; reason: string }>("SELECT status, reason FROM {triggers} WHERE visitor_id = 'stranger'");
      return found.length > 0 ? found : undefined;
    }, 10_000, 'the trigger row');
    expect(trigger).toEqual({ status: 'suppressed', reason: 'consent' });
    expect(mailsTo('victim@example.test')).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a signed, consenting visitor gets one email with both parts, catalogue prices and the scenario\'s code', async () => {
    await send('ada', [identify('ada@example.test', true), consent, cartAdd]);

    mail = await eventually(() => mailsTo('ada@example.test')[0], 15_000, 'the email');
    expect(mailsTo('ada@example.test')).toHaveLength(1);
    expect(mail.subject).toBe('Your cart at Kettle & Kiln');
    expect(mail.html).toEqual(expect.stringContaining('Ethiopia Guji, 250 g'));
    expect(mail.text).toEqual(expect.stringContaining('Ethiopia Guji, 250 g: 2 x 13.50 = 27.00'));
    expect(mail.text).not.toContain('0.01');
    expect(mail.text).toContain('Hi Ada,');
    expect(mail.text).toContain('SAVE10');
    expect(mail.html).toEqual(expect.stringContaining('SAVE10'));
  });

  test.skipIf(skip !== undefined)('the email carries a signed unsubscribe link and RFC 8058 one-click headers', async () => {
    const url = unsubscribeUrl(mail);

    expect(url.startsWith(`${engine.url}/u/`)).toBe(true);
    expect(header(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.text).toContain(`Unsubscribe: ${url}`);
    expect(mail.html).toEqual(expect.stringContaining(url));
  });

  test.skipIf(skip !== undefined)('opening the email and clicking a link are recorded, and the click lands where the email pointed', async () => {
    const html = typeof mail.html === 'string' ? mail.html : '';
    const pixel = /src="([^"]*\/o\/[^"]+\.gif)"/.exec(html)?.[1];
    const click = /href="([^"]*\/r\/[^"]+)"/.exec(html)?.[1];
    expect(pixel).toBeDefined();
    expect(click).toBeDefined();

    const opened = await fetch(pixel!);
    const clicked = await fetch(click!, { redirect: 'manual' });

    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toBe('image/gif');
    expect(clicked.status).toBe(302);
    const shopUrl = engine.config.sites[0]!.url;
    expect(clicked.headers.get('location')?.slice(0, shopUrl.length)).toBe(shopUrl);
    const statuses = await eventually(async () => {
      const found = await rows<{ status: string }>(
        "SELECT status FROM {deliveries} WHERE channel = 'email' AND status IN ('opened', 'clicked') ORDER BY status",
      );
      return found.length >= 2 ? found.map((row) => row.status) : undefined;
    }, 5000, 'the open and click rows');
    expect(statuses).toEqual(['clicked', 'opened']);
  });

  test.skipIf(skip !== undefined)('a tampered or forged token is refused and changes nothing', async () => {
    const url = unsubscribeUrl(mail);
    const token = url.slice(url.lastIndexOf('/') + 1);
    const [payload, signature] = token.split('.') as [string, string];
    const flipped = `${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    const otherVisitor = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), e: 'boss@example.test' })).toString('base64url');

    const answers = await Promise.all([
      fetch(`${engine.url}/u/${flipped}`, { method: 'POST', body: 'List-Unsubscribe=One-Click' }),
      fetch(`${engine.url}/u/${otherVisitor}.${signature}`, { method: 'POST', body: 'List-Unsubscribe=One-Click' }),
      fetch(`${engine.url}/r/${otherVisitor}.${signature}`, { redirect: 'manual' }),
      fetch(`${engine.url}/o/${flipped}.gif`),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 400]);
    expect(answers[2]!.headers.get('location')).toBeNull();
    expect(await answers[0]!.text()).toContain('TW_LINK_INVALID');
    expect(await engine.mailer.suppressions.find('demo', 'ada@example.test')).toBeUndefined();
    expect(await engine.mailer.suppressions.find('demo', 'boss@example.test')).toBeUndefined();
  });

  test.skipIf(skip !== undefined)('opening the unsubscribe link only asks for confirmation, as link scanners open every link', async () => {
    const page = await fetch(unsubscribeUrl(mail));

    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('<form method="post"');
    expect(body).toContain('ada@example.test');
    expect(await engine.mailer.suppressions.find('demo', 'ada@example.test')).toBeUndefined();
  });

  test.skipIf(skip !== undefined)('a one-click unsubscribe is honoured, and the visitor gets nothing more', async () => {
    const answer = await fetch(unsubscribeUrl(mail), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(answer.status).toBe(200);
    expect(await engine.mailer.suppressions.find('demo', 'ada@example.test')).toMatchObject({ reason: 'unsubscribe', detail: 'one-click' });

    await send('ada', [['cart_add', { id: 'colombia-huila', qty: 1 }]]);

    const suppressed = await eventually(async () => {
      const found = await rows<{ detail: string }>("SELECT detail FROM {deliveries} WHERE visitor_id = 'ada' AND status = 'suppressed'");
      return found.length > 0 ? found : undefined;
    }, 10_000, 'the suppressed delivery');
    expect(suppressed).toEqual([{ detail: 'unsubscribe' }]);
    expect(mailsTo('ada@example.test')).toHaveLength(1);
    const unsubscribed = await rows<{ detail: string }>("SELECT detail FROM {deliveries} WHERE visitor_id = 'ada' AND status = 'unsubscribed'");
    expect(unsubscribed).toEqual([{ detail: 'one-click' }]);
  });
});
