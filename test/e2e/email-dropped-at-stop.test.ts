/*
 * The in-process mail queue does not outlive the engine (docs/email.md): a retry still waiting at
 * a stop is lost. The stop says so, with how many and which triggers, so an operator knows what
 * did not go out and can send it again, or run the queue on Redis.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { parseConfig } from '../../engine/config/index.js';
import { startEngine } from '../../engine/config/compose.js';
import { createLogger } from '../../engine/observability/index.js';
import { cartJob } from '../support/email-jobs.js';
import { freePort } from '../support/free-port.js';
import { eventually, grantEmailConsent } from '../support/test-engine.js';

test('a stop with email retries still waiting in the in-process queue logs a warning with their number and trigger ids', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'tripwire-email-dropped-'));
  const lines: string[] = [];
  const log = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter((line) => line !== ''));
      done();
    },
  });
  // Nothing listens there: every send fails and is retried an hour later.
  const smtpUrl = `smtp://127.0.0.1:${await freePort()}`;
  const config = parseConfig({
    server: { host: '127.0.0.1', port: 0 },
    dataDir,
    email: { smtpUrl },
    mailer: { retryDelay: 3_600_000, pollInterval: 50 },
    log: { level: 'warn' },
  });
  const engine = await startEngine(config, { logger: createLogger('warn', log) });
  try {
    for (const id of ['dropped-1', 'dropped-2']) {
      await grantEmailConsent(engine, 'demo', `visitor-${id}`);
      await engine.mailer.queue.enqueue(cartJob(id));
    }
    await eventually(async () => ((await engine.mailer.queue.depth()).delayed === 2 ? true : undefined), 15_000, 'both sends to fail and wait for a retry');
  } finally {
    await engine.stop();
    await rm(dataDir, { recursive: true, force: true });
  }

  const warning = lines.map((line) => JSON.parse(line) as { level: number; msg: string; dropped?: number; triggerIds?: string[] }).find((entry) => entry.dropped !== undefined);
  expect(warning, lines.join('\n')).toBeDefined();
  expect(warning!.level).toBe(40);
  expect(warning!.dropped).toBe(2);
  expect(warning!.triggerIds!.sort()).toEqual(['dropped-1', 'dropped-2']);
  expect(warning!.msg).toMatch(/Redis/);
}, 60_000);
