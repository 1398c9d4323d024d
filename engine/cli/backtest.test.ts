import { describe, expect, test } from 'vitest';
import { refusal, tripwireCli } from '../../test/support/tripwire-cli.js';
import { runBacktestCommand } from './backtest.js';

describe('tripwire backtest --from/--to', () => {
  test.each([
    ['a year past what ClickHouse DateTime holds', ['--from', '2026-11-01', '--to', '9999-12-31'], /^to "9999-12-31" is out of range; .*2106-02-07/],
    ['a date-time without its offset', ['--from', '2026-11-01T00:00', '--to', '2026-11-08'], /^from "2026-11-01T00:00" is not a time; write /],
    ['a day that does not exist', ['--from', '2026-02-30', '--to', '2026-03-08'], /^from "2026-02-30" is not a time/],
    ['an empty bound', ['--from', '', '--to', '2026-11-08'], /^from is required/],
    ['a start after the end', ['--from', '2026-11-08', '--to', '2026-11-01'], /^from "2026-11-08" must be before to "2026-11-01"/],
  ])('refuses %s with TW_QUERY_INVALID before reading anything', async (_what, range, message) => {
    // The scenario file does not exist: a refusal must come from the range, before any file or warehouse is opened.
    await expect(runBacktestCommand(['no-such-scenario.yaml', ...range])).rejects.toMatchObject({ code: 'TW_QUERY_INVALID', message: expect.stringMatching(message) });
  });
});

describe('tripwire backtest, given arguments it does not take', () => {
  const backtest = async (...args: string[]) => refusal(await tripwireCli(['backtest', ...args], { REDIS_URL: '', CLICKHOUSE_URL: '' }));

  test('names a flag it does not know before the usage, and exits 2', async () => {
    expect(await backtest('no-such-scenario.yaml', '--from', '2026-11-01', '--to', '2026-11-08', '--jsno')).toEqual({
      code: 2,
      problem: expect.stringMatching(/^tripwire backtest: Unknown option '--jsno'/),
      usage: expect.stringMatching(/^usage: tripwire backtest /),
    });
  });

  test('says it needs --from and --to before the usage, and exits 2', async () => {
    expect(await backtest('no-such-scenario.yaml', '--from', '2026-11-01')).toMatchObject({ code: 2, problem: 'tripwire backtest: needs --from and --to' });
  });
});
