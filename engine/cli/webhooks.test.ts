import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { refusal, tripwireCli } from '../../test/support/tripwire-cli.js';

const run = promisify(execFile);

describe('tripwire webhooks, given a command it does not know', () => {
  it('says which before the usage, and exits 2', async () => {
    const failed = (await run(process.execPath, ['--import', 'tsx', 'engine/cli/main.ts', 'webhooks', 'dead-letter'], { env: { ...process.env, TW_CONFIG: '', REDIS_URL: '' } }).then(
      () => expect.fail('the command succeeded'),
      (error: unknown) => error,
    )) as { code: number; stderr: string };

    expect(failed.code).toBe(2);
    expect(failed.stderr.split('\n')[0]).toBe('tripwire webhooks: unknown command dead-letter');
    expect(failed.stderr).toContain('usage: tripwire webhooks <command>');
  });
});

describe('tripwire webhooks dead-letters, given arguments it does not take', () => {
  it('names a flag it does not know before the usage and exits 2, without needing Redis to say so', async () => {
    expect(refusal(await tripwireCli(['webhooks', 'dead-letters', '--replya', 't1'], { REDIS_URL: '' }))).toEqual({
      code: 2,
      problem: 'tripwire webhooks dead-letters: unknown argument --replya',
      usage: 'usage: tripwire webhooks <command>',
    });
  });
});
