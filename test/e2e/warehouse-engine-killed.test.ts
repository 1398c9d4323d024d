/*
 * The warehouse journal's promise, end to end: an engine process acknowledges frames while their
 * rows still wait in its memory for the next insert, and is killed with SIGKILL (as an OOM kill
 * would). An engine started again on the same data folder finds every acknowledged event's row
 * in the journal and stores it, exactly once.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, test } from 'vitest';
import { freePort } from '../support/free-port.js';
import { SocketClient } from '../support/socket-client.js';
import { backendVariants, engineProcessEnvironment, eventually, startTestEngine, type TestEngine } from '../support/test-engine.js';

const { variants, urls } = await backendVariants();

const VISITORS = 4;
const FRAMES = 5;
const EVENTS_PER_FRAME = 3;

describe.each(variants)('an engine killed with rows acknowledged but not yet inserted ($backends)', ({ backends, skip }) => {
  let folder: string | undefined;
  let killed: ChildProcess | undefined;
  let restarted: TestEngine | undefined;

  afterEach(async () => {
    killed?.kill('SIGKILL');
    killed = undefined;
    await restarted?.close();
    restarted = undefined;
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  });

  test.skipIf(skip !== undefined)(`stores every acknowledged event exactly once after a restart${skip ? ` (${skip})` : ''}`, async () => {
    folder = await mkdtemp(join(tmpdir(), 'tripwire-engine-killed-'));
    const dataDir = join(folder, 'data');
    const namespace = `t${randomBytes(4).toString('hex')}`;
    const servers = backends === 'servers' ? { store: { redisUrl: urls!.redisUrl, prefix: namespace }, warehouse: { clickhouseUrl: urls!.clickhouseUrl, database: namespace } } : {};
    const port = await freePort();
    const config = {
      server: { host: '127.0.0.1', port },
      dataDir,
      ...servers,
      // No insert before the kill: every row is in the engine's memory and its journal only.
      warehouse: { ...servers.warehouse, batchSize: 1_000_000, flushInterval: 3_600_000 },
      log: { level: 'error' },
    };
    await writeFile(join(folder, 'tripwire.yaml'), stringify(config));
    killed = fork('engine/cli/main.ts', ['start'], { execArgv: ['--import', 'tsx'], env: engineProcessEnvironment(join(folder, 'tripwire.yaml')), stdio: 'pipe' });
    const engineUrl = `http://127.0.0.1:${port}`;
    await eventually(async () => ((await fetch(`${engineUrl}/healthz`).catch(() => undefined))?.ok ? true : undefined), 60_000, 'the engine process to serve');

    const sent: string[] = [];
    await Promise.all(
      Array.from({ length: VISITORS }, async (_, visitor) => {
        const client = await SocketClient.open(engineUrl, 'demo', `visitor-${visitor}`);
        for (let frame = 0; frame < FRAMES; frame++) {
          const events = Array.from({ length: EVENTS_PER_FRAME }, (_, n) => ({ i: `f${frame}-n${n}`, t: 'page', ts: Date.now(), u: `https://shop.example/page/${frame}` }));
          sent.push(...events.map((event) => `visitor-${visitor}/${event.i}`));
          client.send(JSON.stringify({ b: events }));
          await client.acked(events.map((event) => event.i), 15_000);
        }
        client.close();
      }),
    );
    expect(await readdir(join(dataDir, 'journal'))).not.toEqual([]);
    const exited = new Promise((resolve) => killed!.once('exit', resolve));
    killed.kill('SIGKILL');
    await exited;
    killed = undefined;

    restarted = await startTestEngine(backends, urls, { dataDir, ...servers });
    await restarted.sink.flush();
    const [stored] = await restarted.warehouse.query<{ rows: number; unique_events: number }>(
      'SELECT count() AS rows, uniqExact(visitor_id, event_id) AS unique_events FROM {events}',
    );
    expect(stored).toEqual({ rows: sent.length, unique_events: sent.length });
    expect(await readdir(join(dataDir, 'spill'))).toEqual([]);
  });
});
