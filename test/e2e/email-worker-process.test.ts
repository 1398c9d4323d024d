/*
 * A `tripwire mailer` process killed (SIGKILL) in the middle of sending: its job is reclaimed
 * and completed by another worker, and the recipient gets one email. Needs Redis: a separate
 * mailer process shares the queue with the engine there.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { engineProcessEnvironment, eventually, grantEmailConsent, serverUrls, startTestEngine, type TestEngine } from '../support/test-engine.js';

const servers = await serverUrls();
const skip = 'skip' in servers ? servers.skip : undefined;

/** Holds the first message it receives without ever answering it, as a slow relay would; accepts the rest. */
async function stallingSmtp(): Promise<{ url: string; stalled: () => boolean; accepted: ParsedMail[]; close(): Promise<void> }> {
  const accepted: ParsedMail[] = [];
  let stalled = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          if (!stalled) {
            stalled = true;
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
    stalled: () => stalled,
    accepted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(skip !== undefined)(`a mailer process killed mid-send${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let engine: TestEngine;
  let smtp: Awaited<ReturnType<typeof stallingSmtp>>;
  let folder: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    if (!('redisUrl' in servers)) return;
    smtp = await stallingSmtp();
    const mailer = { lease: '1s', reclaimAfter: 300, pollInterval: 50 };
    engine = await startTestEngine('servers', servers, { email: { smtpUrl: smtp.url }, mailer: { ...mailer, worker: 'off' } });
    folder = await mkdtemp(join(tmpdir(), 'tripwire-mailer-'));
    const config = {
      store: { redisUrl: servers.redisUrl, prefix: engine.config.store.prefix },
      warehouse: { clickhouseUrl: servers.clickhouseUrl, database: engine.config.warehouse.database, flushInterval: 100 },
      email: { smtpUrl: smtp.url },
      mailer,
      dataDir: folder,
      log: { level: 'error' },
    };
    await writeFile(join(folder, 'tripwire.yaml'), stringify(config));
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await engine?.close();
    await smtp?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
    if ('stop' in servers) await servers.stop();
  });

  test('its job is completed by another worker, and the recipient gets exactly one email', async () => {
    child = fork('engine/cli/main.ts', ['mailer'], {
      execArgv: ['--import', 'tsx'],
      env: engineProcessEnvironment(join(folder, 'tripwire.yaml')),
      stdio: 'pipe',
    });
    await grantEmailConsent(engine, 'demo', 'visitor-killed-1');
    await engine.mailer.queue.enqueue({
      id: 'killed-1',
      attempt: 1,
      enqueuedAt: Date.now(),
      site: 'demo',
      visitor: 'visitor-killed-1',
      scenario: 'cart-abandoned',
      request: {
        triggerId: 'killed-1',
        scenarioId: 'cart-abandoned',
        site: { key: 'demo', name: 'Demo', from: 'shop@demo.test', publicUrl: 'http://localhost/shop' },
        visitor: 'visitor-killed-1',
        to: 'ada@example.test',
        template: 'cart-abandoned',
        context: { cart: [{ id: 'ethiopia-guji', name: 'Ethiopia Guji, 250 g', price: 13.5, qty: 1, image: '', url: '' }], cartTotal: 13.5 },
      },
    });

    await eventually(() => (smtp.stalled() ? true : undefined), 20_000, 'the mailer process sending');
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    engine.mailer.worker.start();

    await eventually(() => (smtp.accepted.length > 0 ? true : undefined), 15_000, 'the email sent by the other worker');
    await eventually(async () => ((await engine.mailer.queue.depth()).held === 0 ? true : undefined), 5000, 'the ack');
    expect(smtp.accepted).toHaveLength(1);
    expect(smtp.accepted[0]?.messageId).toBe('<killed-1@tripwire>');
    expect(await engine.mailer.ledger.isSent('killed-1')).toBe(true);
  });
});
