import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { refusal, tripwireCli } from '../../test/support/tripwire-cli.js';

describe('tripwire query, given arguments it does not take', () => {
  const query = async (...args: string[]) => refusal(await tripwireCli(['query', ...args], { REDIS_URL: '', CLICKHOUSE_URL: '' }));

  it('names a flag the query does not take before the usage, and exits 2', async () => {
    expect(await query('events-per-type', '--form', '2026-11-01')).toEqual({
      code: 2,
      problem: expect.stringMatching(/^tripwire query: Unknown option '--form'/),
      usage: 'usage: tripwire query <name> [--format json|csv] [--<parameter> <value> ...]',
    });
  });

  it('refuses an argument after the query name that is not a flag, and exits 2', async () => {
    expect(await query('events-per-type', 'csv')).toMatchObject({ code: 2, problem: 'tripwire query: unexpected argument csv' });
  });

  it('refuses a flag missing its value, and exits 2', async () => {
    expect(await query('events-per-type', '--from')).toMatchObject({ code: 2, problem: "tripwire query: Option '--from <value>' argument missing" });
  });
});

describe('tripwire query, on embedded defaults, given no warehouse it may open', () => {
  const query = (dataDir: string) => tripwireCli(['query', 'events-per-type'], { REDIS_URL: '', CLICKHOUSE_URL: '', TW_DATA_DIR: dataDir });

  it('refuses a data folder that does not exist, naming it and the settings, and creates nothing', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'tw-query-')), '.tripwire');
    const outcome = await query(dataDir);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain(`No embedded warehouse at ${join(dataDir, 'chdb')}`);
    expect(outcome.stderr).toMatch(/TW_DATA_DIR.*CLICKHOUSE_URL/s);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses an audience with a ClickHouse server but no data folder, rather than read it with no suppression list', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'tw-query-')), '.tripwire');
    const outcome = await tripwireCli(['query', 'audience-cart-abandoners'], { REDIS_URL: '', CLICKHOUSE_URL: 'http://127.0.0.1:9', TW_DATA_DIR: dataDir });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain(`No data folder at ${dataDir}`);
    expect(outcome.stderr).toMatch(/TW_DATA_DIR.*REDIS_URL/s);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('runs a query that reads no suppression list against a ClickHouse server from a machine without the data folder, creating none', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'tw-query-')), '.tripwire');
    const outcome = await tripwireCli(['query', 'events-per-type'], { REDIS_URL: '', CLICKHOUSE_URL: 'http://127.0.0.1:9', TW_DATA_DIR: dataDir });
    // Port 9 answers nothing: the query gets as far as the server, and fails there.
    expect(outcome.stderr).toContain('TW_WAREHOUSE_UNAVAILABLE');
    expect(outcome.stderr).not.toContain('No data folder');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('names the engine running on the data folder, and the HTTP API that asks it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tw-query-'));
    await mkdir(join(dataDir, 'chdb'));
    // This test's process is the running engine the lock names.
    const startedAt = new Date().toISOString();
    await writeFile(join(dataDir, 'engine.lock'), `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt })}\n`);
    const outcome = await query(dataDir);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('TW_WAREHOUSE_IN_USE');
    expect(outcome.stderr).toContain(`pid ${process.pid} on ${hostname()}, running since ${startedAt}`);
    expect(outcome.stderr).toContain('GET /api/queries/<name>');
    expect(outcome.stderr).toContain('POST /api/backtest');
    expect(outcome.stderr).not.toContain('CLICKHOUSE_URL; batches are retried');
  });
});
