import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { TripwireError } from '../../../errors.js';
import type { OutgoingEmail } from '../index.js';
import { SmtpTransport } from './index.js';

const message: OutgoingEmail = {
  from: '"Acme & Co" <shop@acme.test>',
  to: 'alice@example.test',
  subject: 'Your cart is waiting',
  html: '<p>Trail shoes</p>',
  text: 'Trail shoes\n',
  headers: { 'X-Tripwire-Trigger': 'trg-1' },
  messageId: '<trg-1@tripwire>',
};

interface Received {
  from: string;
  to: string[];
  user: string | undefined;
  mail: ParsedMail;
}

interface RunningServer {
  port: number;
  received: Received[];
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real SMTP server on a free port: what it accepts is parsed and kept for the test to read. */
async function startSmtpServer(options: Partial<SMTPServerOptions> = {}): Promise<RunningServer> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            user: session.user as string | undefined,
            mail,
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
    ...options,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, received };
}

function transportTo(url: string): SmtpTransport {
  const transport = new SmtpTransport({ url });
  cleanups.push(() => transport.close());
  return transport;
}

/** A port nothing listens on: bound, noted, released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function failure(promise: Promise<unknown>): Promise<TripwireError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TripwireError);
  return error as TripwireError;
}

describe('SmtpTransport', () => {
  it('delivers the message to the SMTP server', async () => {
    const server = await startSmtpServer();
    const transport = transportTo(`smtp://127.0.0.1:${server.port}`);

    const sent = await transport.send(message);

    expect(sent.messageId).toBe('<trg-1@tripwire>');
    expect(server.received).toHaveLength(1);
    const [delivery] = server.received;
    expect(delivery?.from).toBe('shop@acme.test');
    expect(delivery?.to).toEqual(['alice@example.test']);
    expect(delivery?.mail.messageId).toBe('<trg-1@tripwire>');
    expect(delivery?.mail.subject).toBe('Your cart is waiting');
    expect(delivery?.mail.html).toContain('<p>Trail shoes</p>');
    expect(delivery?.mail.text).toBe('Trail shoes\n');
    expect(delivery?.mail.headers.get('x-tripwire-trigger')).toBe('trg-1');
  });

  it('logs in with the credentials of the URL', async () => {
    const server = await startSmtpServer({
      onAuth(auth, _session, callback) {
        if (auth.username === 'tripwire' && auth.password === 's3cret') callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
    });
    const transport = transportTo(`smtp://tripwire:s3cret@127.0.0.1:${server.port}`);

    await transport.send(message);

    expect(server.received[0]?.user).toBe('tripwire');
  });

  it('sends several messages over the pool', async () => {
    const server = await startSmtpServer();
    const transport = transportTo(`smtp://127.0.0.1:${server.port}`);

    await Promise.all(['a', 'b', 'c'].map((id) => transport.send({ ...message, messageId: `<${id}@tripwire>` })));

    expect(server.received.map((delivery) => delivery.mail.messageId).sort()).toEqual(['<a@tripwire>', '<b@tripwire>', '<c@tripwire>']);
  });

  it('fails with TW_EMAIL_FAILED naming host and port when the connection is refused', async () => {
    const port = await closedPort();
    const transport = transportTo(`smtp://127.0.0.1:${port}`);

    const error = await failure(transport.send(message));

    expect(error.code).toBe('TW_EMAIL_FAILED');
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it('fails with TW_EMAIL_FAILED carrying the SMTP response when the server rejects the recipient', async () => {
    const server = await startSmtpServer({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('5.1.1 Mailbox does not exist'), { responseCode: 550 }));
      },
    });
    const transport = transportTo(`smtp://127.0.0.1:${server.port}`);

    const error = await failure(transport.send(message));

    expect(error.code).toBe('TW_EMAIL_FAILED');
    expect(error.message).toContain(`127.0.0.1:${server.port}`);
    expect(error.message).toContain('550 5.1.1 Mailbox does not exist');
  });

  it('keeps the password out of the failure message', async () => {
    const server = await startSmtpServer({
      onAuth(_auth, _session, callback) {
        callback(new Error('Invalid username or password'));
      },
    });
    const transport = transportTo(`smtp://tripwire:s3cret@127.0.0.1:${server.port}`);

    const error = await failure(transport.send(message));

    expect(error.code).toBe('TW_EMAIL_FAILED');
    expect(error.message).toContain('Invalid username or password');
    expect(error.message).not.toContain('s3cret');
  });

  it('verifies the relay at start', async () => {
    const server = await startSmtpServer();

    await expect(transportTo(`smtp://127.0.0.1:${server.port}`).verify()).resolves.toBeUndefined();
  });

  it('fails verification with TW_EMAIL_FAILED when the relay is down', async () => {
    const port = await closedPort();

    const error = await failure(transportTo(`smtp://127.0.0.1:${port}`).verify());

    expect(error.code).toBe('TW_EMAIL_FAILED');
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it('rejects a URL that is not smtp:// or smtps:// as TW_CONFIG_INVALID', () => {
    expect(() => new SmtpTransport({ url: 'http://mail.example.test' })).toThrow(
      expect.objectContaining({ code: 'TW_CONFIG_INVALID' }),
    );
  });
});
