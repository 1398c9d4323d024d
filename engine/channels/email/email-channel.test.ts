import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TripwireError } from '../../errors.js';
import { ManualClock } from '../../events/index.js';
import { TemplateRenderer } from '../templates/index.js';
import { EmailChannel, type EmailRequest } from './index.js';
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

  it('refuses a request without a recipient as TW_EMAIL_FAILED', async () => {
    const error = await channel.send({ ...request, to: ' ' }).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(TripwireError);
    expect((error as TripwireError).code).toBe('TW_EMAIL_FAILED');
    expect(await readdir(outbox)).toEqual([]);
  });

  it('sends nothing when the template is broken', async () => {
    const error = await channel.send({ ...request, template: 'no-such-template' }).catch((reason: unknown) => reason);

    expect((error as TripwireError).code).toBe('TW_TEMPLATE_INVALID');
    expect(await readdir(outbox)).toEqual([]);
  });
});
