import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/free-port.js';
import { refusal, tripwireCli } from '../../test/support/tripwire-cli.js';

describe('tripwire', () => {
  it('ends quietly and successfully when its reader stops early, as `tripwire schema | head` does', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/main.ts', 'schema'], {
      env: { ...process.env, TW_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('tripwire, given arguments a command does not take', () => {
  it('given no command, says so before the usage, and exits 2', async () => {
    expect(refusal(await tripwireCli([]))).toEqual({ code: 2, problem: 'tripwire: no command given', usage: 'usage: tripwire <command>' });
  });

  it('given an empty command, as a script with an unset variable passes, says no command was given', async () => {
    expect(refusal(await tripwireCli(['']))).toEqual({ code: 2, problem: 'tripwire: no command given', usage: 'usage: tripwire <command>' });
  });

  it('answers -h with the usage on stdout, and exits 0', async () => {
    const outcome = await tripwireCli(['-h']);
    expect([outcome.code, outcome.stdout.split('\n')[0], outcome.stderr]).toEqual([0, 'usage: tripwire <command>', '']);
  });

  it('answers --help with the usage on stdout, and exits 0', async () => {
    const outcome = await tripwireCli(['--help']);
    expect([outcome.code, outcome.stdout.split('\n')[0], outcome.stderr]).toEqual([0, 'usage: tripwire <command>', '']);
  });

  it('names a command it does not know before the usage, and exits 2', async () => {
    expect(refusal(await tripwireCli(['frobnicate']))).toEqual({ code: 2, problem: 'tripwire: unknown command frobnicate', usage: 'usage: tripwire <command>' });
  });

  it('refuses a flag to start, before starting an engine that would ignore it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tripwire-cli-start-'));
    try {
      // If the flag were ignored the engine would run until killed: on a folder and a port of the test's own.
      const started = await tripwireCli(['start', '--port', '9000'], { TW_DATA_DIR: dataDir, PORT: String(await freePort()), REDIS_URL: '', CLICKHOUSE_URL: '' }, 20_000);

      expect(refusal(started)).toEqual({ code: 2, problem: expect.stringMatching(/^tripwire start: Unknown option '--port'/), usage: 'usage: tripwire start' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses an argument to schema rather than printing the schema', async () => {
    expect(refusal(await tripwireCli(['schema', 'scenarios']))).toEqual({ code: 2, problem: 'tripwire schema: unexpected argument scenarios', usage: 'usage: tripwire schema' });
  });

  it('refuses a second folder to check rather than checking the first alone', async () => {
    expect(refusal(await tripwireCli(['check', 'deploy/demo/scenarios', 'more-scenarios']))).toEqual({
      code: 2,
      problem: 'tripwire check: unexpected argument more-scenarios',
      usage: 'usage: tripwire check [dir | file.yaml]',
    });
  });
});
