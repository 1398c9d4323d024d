/*
 * What `tripwire start` writes where: its stdout is the JSON log lines alone, for a log shipper to
 * read; the banner for the person who started it (URLs, a made admin token) goes to stderr.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, expect, test } from 'vitest';
import { engineProcessEnvironment, eventually } from '../support/test-engine.js';

let folder: string | undefined;

afterEach(async () => {
  if (folder !== undefined) await rm(folder, { recursive: true, force: true });
});

test('tripwire start writes its banner to stderr and only JSON log lines to stdout', async () => {
  folder = await mkdtemp(join(tmpdir(), 'tw-start-output-'));
  await writeFile(join(folder, 'engine.yaml'), stringify({ server: { host: '127.0.0.1', port: 0 }, dataDir: join(folder, 'data'), log: { level: 'info' } }));
  const child = fork('engine/cli/main.ts', ['start'], { execArgv: ['--import', 'tsx'], env: engineProcessEnvironment(join(folder, 'engine.yaml')), stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await eventually(() => (stderr.includes('Admin token:') ? true : undefined), 60_000, 'the banner');
  child.kill('SIGTERM');
  await exited;

  expect(stderr).toContain('Tripwire is running on http://');
  const lines = stdout.split('\n').filter((line) => line !== '');
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
}, 90_000);
