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
