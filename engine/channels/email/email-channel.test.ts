import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TripwireError } from '../../errors.js';
import { ManualClock } from '../../events/index.js';
import { TemplateRenderer } from '../templates/index.js';
import { EmailChannel, EmailLinks, type EmailRequest } from './index.js';
import { OutboxTransport } from './outbox/index.js';

const demoTemplates = fileURLToPath(new URL('../../../deploy/demo/templates', import.meta.url));

const request: EmailRequest = {
  triggerId: 'trg-42',
  scenarioId: 'cart-abandoned',
  site: { key: 'acme', name: 'Acme & Co', from: 'shop@acme.test', publicUrl: 'https://acme.test' },
  to: 'alice@example.test',
  template: 'cart-abandoned',
  context: {
    visitor: { name: 'Alice', email: 'alice@example.test' },
    cart: [{ id: 'p1', name: 'Trail shoes', price: 49.9, qty: 1, image: 'https://acme.test/img/p1.jpg', url: 'https://acme.test/p/p1' }],
    cartTotal: 49.9,
  },
};

let outbox: string;
let transport: OutboxTransport;
let channel: EmailChannel;
const clock = new ManualClock(Date.UTC(2025, 0, 31, 9, 0, 0));

beforeEach(async () => {
  outbox = await mkdtemp(join(tmpdir(), 'tripwire-channel-'));
  transport = new OutboxTransport({ dir: outbox, clock });
  channel = new EmailChannel({ transport, renderer: new TemplateRenderer({ dir: demoTemplates }) });
});

afterEach(async () => {
  await transport.close();
  await rm(outbox, { recursive: true, force: true });
});

async function sentMessages() {
  const files = (await readdir(outbox)).sort();
  return Promise.all(files.map(async (file) => simpleParser(await readFile(join(outbox, file)))));
}

describe('EmailChannel', () => {
  it('sends the rendered template from the site sender to the visitor', async () => {
    await channel.send(request);

    const [mail] = await sentMessages();
    expect(mail?.from?.value).toEqual([{ name: 'Acme & Co', address: 'shop@acme.test' }]);
    expect(mail?.to).toMatchObject({ value: [{ address: 'alice@example.test' }] });
    expect(mail?.subject).toBe('Alice, your 1 item is waiting at Acme & Co');
    expect(mail?.html).toContain('href="https://acme.test/cart"');
    expect(mail?.text).toContain('Trail shoes');
  });

  it('gives the message a Message-ID derived from the trigger, so a resend is recognisable', async () => {
    const first = await channel.send(request);
    clock.advance(60_000);
    const second = await channel.send(request);

    expect(first.messageId).toBe('<trg-42@tripwire>');
    expect(second.messageId).toBe(first.messageId);
    expect((await sentMessages()).map((mail) => mail.messageId)).toEqual(['<trg-42@tripwire>', '<trg-42@tripwire>']);
  });

  it('tags the message with its trigger and scenario', async () => {
    await channel.send(request);

    const [mail] = await sentMessages();
    expect(mail?.headers.get('x-tripwire-trigger')).toBe('trg-42');
    expect(mail?.headers.get('x-tripwire-scenario')).toBe('cart-abandoned');
  });

  it('keeps a sender that already names itself', async () => {
    const site = { ...request.site, from: 'Acme Support <help@acme.test>' };

    const message = await channel.compose({ ...request, site });

    expect(message.from).toBe('Acme Support <help@acme.test>');
  });

  it('uses the subject the scenario sets', async () => {
    const message = await channel.compose({ ...request, subject: '{{ visitor.name }}, still there?' });

    expect(message.subject).toBe('Alice, still there?');
  });

  it('refuses a request without a recipient as TW_EMAIL_ADDRESS_INVALID', async () => {
    const error = await channel.send({ ...request, to: ' ' }).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(TripwireError);
    expect((error as TripwireError).code).toBe('TW_EMAIL_ADDRESS_INVALID');
    expect(await readdir(outbox)).toEqual([]);
  });

  it.each(['alice@example.test, victim@example.test', 'Alice <victim@example.test>', 'alice@example.test\nBcc: victim@example.test'])(
    'refuses a recipient that is not exactly one plain address, sending nothing: %j',
    async (to) => {
      const error = await channel.send({ ...request, to }).catch((reason: unknown) => reason);

      expect((error as TripwireError).code).toBe('TW_EMAIL_ADDRESS_INVALID');
      expect(await readdir(outbox)).toEqual([]);
    },
  );

  it('names the one recipient and the bare sender address in the SMTP envelope', async () => {
    const site = { ...request.site, from: 'Acme Support <help@acme.test>' };

    const message = await channel.compose({ ...request, to: ' alice@example.test ', site });

    expect(message.to).toBe('alice@example.test');
    expect(message.envelope).toEqual({ from: 'help@acme.test', to: ['alice@example.test'] });
  });

  it('sends nothing when the template is broken', async () => {
    const error = await channel.send({ ...request, template: 'no-such-template' }).catch((reason: unknown) => reason);

    expect((error as TripwireError).code).toBe('TW_TEMPLATE_INVALID');
    expect(await readdir(outbox)).toEqual([]);
  });

  it('signs with the site\'s DKIM key when one is configured', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dkim = { domainName: 'acme.test', keySelector: 'tw2025', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };

    await channel.send({ ...request, site: { ...request.site, dkim } });

    const [mail] = await sentMessages();
    const signature = mail?.headerLines.find((line) => line.key === 'dkim-signature')?.line ?? '';
    expect(signature).toContain('d=acme.test');
    expect(signature).toContain('s=tw2025');
  });
});

describe('EmailChannel with signed links', () => {
  const links = new EmailLinks({ baseUrl: 'https://engine.test', secrets: new Map([['acme', 'acme-secret-0123456789']]) });

  it('adds an unsubscribe link, RFC 8058 one-click headers, tracked links and an open pixel', async () => {
    const linked = new EmailChannel({ transport, renderer: new TemplateRenderer({ dir: demoTemplates }), links });

    const message = await linked.compose({ ...request, visitor: 'v-1', site: { ...request.site, unsubscribeMailto: 'leave@acme.test' } });

    const unsubscribe = /<(https:\/\/engine\.test\/u\/[^>]+)>/.exec(message.headers['List-Unsubscribe'] ?? '')?.[1];
    expect(unsubscribe).toBeDefined();
    expect(message.headers['List-Unsubscribe']).toContain('<mailto:leave@acme.test?subject=unsubscribe>');
    expect(message.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(message.html).toContain(`href="${unsubscribe}"`);
    expect(message.text).toContain(`Unsubscribe: ${unsubscribe}`);
    expect(message.html).not.toContain('href="https://acme.test/cart"');
    expect(message.html).toMatch(/href="https:\/\/engine\.test\/r\/[^"]+"/);
    expect(message.html).toMatch(/<img src="https:\/\/engine\.test\/o\/[^"]+\.gif"/);
  });

  it('leaves the List-Unsubscribe headers off a transactional message, which is on no list', async () => {
    const linked = new EmailChannel({ transport, renderer: new TemplateRenderer({ dir: demoTemplates }), links });

    const message = await linked.compose({ ...request, visitor: 'v-1', transactional: true });

    expect(message.headers['List-Unsubscribe']).toBeUndefined();
    expect(message.headers['List-Unsubscribe-Post']).toBeUndefined();
  });

  it('sends a message a mail parser reads with its HTML and text parts', async () => {
    const linked = new EmailChannel({ transport, renderer: new TemplateRenderer({ dir: demoTemplates }), links });

    await linked.send(request);

    const [mail] = await sentMessages();
    expect(mail?.html).toContain('Trail shoes');
    expect(mail?.text).toContain('Trail shoes');
    expect(mail?.headerLines.map((line) => line.key)).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post']));
  });
});
