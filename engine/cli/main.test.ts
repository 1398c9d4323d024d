import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';

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
