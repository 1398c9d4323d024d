import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refusal, tripwireCli } from '../../test/support/tripwire-cli.js';

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
    expect(stdout).toContain('Subject: Ada, your 2 items are waiting at Kettle & Kiln');
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

describe('tripwire email preview, given arguments it does not take', () => {
  const preview = async (...args: string[]) => refusal(await tripwireCli(['email', 'preview', ...args], { TW_TEMPLATES_DIR: 'deploy/demo/templates' }));

  it('names a flag it does not know before the usage, exits 2 and renders nothing, rather than rendering without that data', async () => {
    const out = join(folder, 'cart.html');
    const data = join(folder, 'data.json');
    await writeFile(data, JSON.stringify({ visitor: { name: 'Grace' } }));

    expect(await preview('cart-abandoned', '--dat', data, '--out', out)).toEqual({
      code: 2,
      problem: expect.stringMatching(/^tripwire email: Unknown option '--dat'/),
      usage: expect.stringMatching(/^usage: tripwire email preview /),
    });
    await expect(readFile(out, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('says --out is missing its value before the usage, and exits 2', async () => {
    expect(await preview('cart-abandoned', '--out')).toMatchObject({ code: 2, problem: "tripwire email: Option '--out <value>' argument missing" });
  });

  it('says an --out file in a folder that does not exist cannot be written, without a stack, and exits 2', async () => {
    const out = join(folder, 'no-such-folder', 'cart.html');
    const outcome = await tripwireCli(['email', 'preview', 'cart-abandoned', '--out', out], { TW_TEMPLATES_DIR: 'deploy/demo/templates' });
    expect(refusal(outcome)).toMatchObject({ code: 2, problem: `tripwire email: --out ${out} cannot be written: the folder ${join(folder, 'no-such-folder')} does not exist` });
    expect(outcome.stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses a second template name, and exits 2', async () => {
    expect(await preview('cart-abandoned', 'price-drop', '--out', join(folder, 'cart.html'))).toMatchObject({ code: 2, problem: 'tripwire email: unexpected argument price-drop' });
  });
});
