import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tripwire-preview-'));
});
afterEach(() => rm(folder, { recursive: true, force: true }));

function tripwire(...args: string[]) {
  const env = { ...process.env, TW_CONFIG: '', TW_TEMPLATES_DIR: 'deploy/demo/templates' };
  return run(process.execPath, ['--import', 'tsx', 'engine/cli/main.ts', ...args], { env });
}

describe('tripwire email preview', () => {
  it('renders a template with sample data to an HTML file and prints the subject and text', async () => {
    const out = join(folder, 'cart.html');

    const { stdout } = await tripwire('email', 'preview', 'cart-abandoned', '--out', out);

    const html = await readFile(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('Ethiopia Guji, 250 g');
    expect(html).toContain('WELCOME10');
    expect(html).toContain('You might also like');
    expect(stdout).toContain('Subject: Ada, your 2 items are waiting at Tripwire Demo Shop');
    expect(stdout).toContain('Total: 81.00');
  });

  it('merges the data file over the sample data', async () => {
    const out = join(folder, 'cart.html');
    const data = join(folder, 'data.json');
    await writeFile(data, JSON.stringify({ visitor: { name: 'Grace' }, discountCode: 'GRACE5' }));

    const { stdout } = await tripwire('email', 'preview', 'cart-abandoned', '--data', data, '--out', out);

    expect(stdout).toContain('Subject: Grace, your 2 items');
    expect(await readFile(out, 'utf8')).toContain('GRACE5');
  });
});
