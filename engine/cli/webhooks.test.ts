import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

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
