/*
 * The demo site's links in emails follow the port the engine was started on: an engine started
 * with PORT through the config loader, a trigger over its socket, the mail from a real SMTP server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadConfig } from '../../engine/config/index.js';
import { startEngine, type RunningEngine } from '../../engine/config/compose.js';
import { identityHmac } from '../../engine/gateway/index.js';
import { createLogger } from '../../engine/observability/index.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { SocketClient, event } from '../support/socket-client.js';

const CART_MAIL = `id: cart-mail
when:
  count: { event: cart_add, atLeast: 1, within: 1m }
visitor:
  identified: true
then:
  email:
    template: cart-abandoned
`;

let folder: string;
let smtp: SmtpSink;
let engine: RunningEngine;
let port: number;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tripwire-site-url-'));
  await writeFile(join(folder, 'cart-mail.yaml'), CART_MAIL);
  smtp = await startSmtpSink();
  port = await freePort();
  const config = await loadConfig({
    env: { PORT: String(port) },
    overrides: {
      server: { host: '127.0.0.1' },
      dataDir: folder,
      scenarios: { dir: folder },
      email: { smtpUrl: smtp.url },
      mailer: { pollInterval: 50 },
      log: { level: 'warn' },
    },
  });
  engine = await startEngine(config, { logger: createLogger(config.log.level, process.stderr) });
});

afterAll(async () => {
  await engine?.stop();
  await smtp?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

test('an email of the demo site started with another PORT links to the shop on that port, which answers', async () => {
  const email = 'ada@example.test';
  const client = await SocketClient.open(engine.url, 'demo', 'ada');
  client.send(
    JSON.stringify({
      b: [
        event('e1', 'identify', { email, hmac: identityHmac(engine.config.sites[0]!.secret, email), traits: { name: 'Ada' } }),
        event('e2', 'consent', { email: true }),
        event('e3', 'cart_add', { id: 'ethiopia-guji', name: 'Ethiopia Guji, 250 g', price: 13.5, qty: 1 }),
      ],
    }),
  );
  await client.next((message) => message.k === 'ack');
  client.close();

  const mail = await eventually(() => smtp.messages[0], 15_000, 'the email');
  const shopUrl = `http://localhost:${port}/shop`;
  expect(mail.text).toContain(`(${shopUrl})`);
  expect((await fetch(`${shopUrl}/`)).status).toBe(200);
});
