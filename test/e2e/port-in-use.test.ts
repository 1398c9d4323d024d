/*
 * One engine per port, with real sockets and a real `tripwire start` process: a second engine
 * started on a port a running one holds (a forgotten engine, a deploy that starts the new process
 * before the old one stops) must not share it, or the kernel splits connections between the two
 * and each visitor's counts split with them. It is refused with a message that names the port; an
 * address that is not one of this machine's is refused as a setting to fix, not taken for a busy port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { freePort } from '../support/free-port.js';
import { tripwireCli, type CliOutcome } from '../support/tripwire-cli.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';

describe('the address an engine listens on', () => {
  const engines: TestEngine[] = [];
  const folders: string[] = [];

  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
    for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
  });

  /** `tripwire start` on a data folder of its own; an engine that starts anyway is killed after 30 s (code null). */
  async function start(env: Record<string, string>): Promise<CliOutcome> {
    const dataDir = await mkdtemp(join(tmpdir(), 'tripwire-port-in-use-'));
    folders.push(dataDir);
    return tripwireCli(['start'], { TW_DATA_DIR: dataDir, TW_DEMO: 'false', LOG_LEVEL: 'error', ...env }, 30_000);
  }

  test('a second engine on the port a running engine holds is refused with TW_PORT_IN_USE naming the port', async () => {
    // A port given, as an operator does: the kernel lets a port it picks (port 0) be shared less readily.
    const running = await startTestEngine('embedded', undefined, { server: { port: await freePort() } });
    engines.push(running);

    const second = await start({ HOST: '127.0.0.1', PORT: String(running.port) });

    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`TW_PORT_IN_USE: cannot listen on 127.0.0.1:${running.port}`);
    expect(second.stderr).toMatch(/another process/i);
    expect(second.stderr).not.toMatch(/^\s+at /m);
    for (let i = 0; i < 8; i++) expect((await fetch(`http://127.0.0.1:${running.port}/healthz`)).status).toBe(200);
  }, 60_000);

  test('a host name that does not resolve is refused as a setting to fix, not as a busy port', async () => {
    const outcome = await start({ HOST: 'not a host', PORT: '0' });

    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('TW_CONFIG_INVALID: server.host "not a host"');
    expect(outcome.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  test("an address that is not one of this machine's is refused as a setting to fix", async () => {
    // TEST-NET-1 (RFC 5737): never assigned to a machine.
    const outcome = await start({ HOST: '192.0.2.1', PORT: '0' });

    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('TW_CONFIG_INVALID: server.host "192.0.2.1"');
  }, 60_000);
});
