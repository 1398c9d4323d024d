import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TripwireError } from '../../../errors.js';
import { ManualClock } from '../../../events/index.js';
import type { OutgoingEmail } from '../index.js';
import { OutboxTransport } from './index.js';

const sentAt = Date.UTC(2025, 0, 31, 9, 15, 2, 120);

const message: OutgoingEmail = {
  from: '"Acme & Co" <shop@acme.test>',
  to: 'alice@example.test',
  subject: 'Your cart is waiting',
  html: '<p>Trail shoes &times; 2</p>',
  text: 'Trail shoes x 2\n',
  headers: { 'X-Tripwire-Trigger': 'trg-1' },
  messageId: '<trg-1@tripwire>',
};

let root: string;
let transport: OutboxTransport | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tripwire-outbox-'));
});

afterEach(async () => {
  await transport?.close();
  transport = undefined;
  await rm(root, { recursive: true, force: true });
});

describe('OutboxTransport', () => {
  it('writes the message as a .eml file named by time and trigger', async () => {
    transport = new OutboxTransport({ dir: root, clock: new ManualClock(sentAt) });

    await transport.send(message);

    expect(await readdir(root)).toEqual(['2025-01-31T09-15-02.120Z-trg-1.eml']);
  });

  it('writes a message a mail parser reads back whole', async () => {
    transport = new OutboxTransport({ dir: root, clock: new ManualClock(sentAt) });

    const sent = await transport.send(message);
    const parsed = await simpleParser(await readFile(join(root, '2025-01-31T09-15-02.120Z-trg-1.eml')));

    expect(sent.messageId).toBe('<trg-1@tripwire>');
    expect(parsed.messageId).toBe('<trg-1@tripwire>');
    expect(parsed.subject).toBe('Your cart is waiting');
    expect(parsed.from?.value).toEqual([{ name: 'Acme & Co', address: 'shop@acme.test' }]);
    expect(parsed.html).toContain('<p>Trail shoes &times; 2</p>');
    expect(parsed.text).toBe('Trail shoes x 2\n');
    expect(parsed.headers.get('x-tripwire-trigger')).toBe('trg-1');
  });

  it('writes unix line endings', async () => {
    transport = new OutboxTransport({ dir: root, clock: new ManualClock(sentAt) });

    await transport.send(message);
    const raw = await readFile(join(root, '2025-01-31T09-15-02.120Z-trg-1.eml'), 'utf8');

    expect(raw).not.toContain('\r\n');
  });

  it('creates the outbox folder when it is missing', async () => {
    const dir = join(root, 'var', 'outbox');
    transport = new OutboxTransport({ dir, clock: new ManualClock(sentAt) });

    await transport.send(message);

    expect(await readdir(dir)).toHaveLength(1);
  });

  it('leaves no temporary file beside the messages', async () => {
    const clock = new ManualClock(sentAt);
    transport = new OutboxTransport({ dir: root, clock });

    await transport.send(message);
    clock.advance(1);
    await transport.send({ ...message, messageId: '<trg-2@tripwire>' });

    expect(await readdir(root)).toEqual(['2025-01-31T09-15-02.120Z-trg-1.eml', '2025-01-31T09-15-02.121Z-trg-2.eml']);
  });

  it('fails with TW_EMAIL_FAILED when the folder cannot be written', async () => {
    const blocker = join(root, 'not-a-folder');
    await writeFile(blocker, '');
    transport = new OutboxTransport({ dir: blocker });

    const error = await transport.send(message).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(TripwireError);
    expect((error as TripwireError).code).toBe('TW_EMAIL_FAILED');
    expect((error as TripwireError).message).toContain(blocker);
  });
});
