/*
 * `tripwire check` refuses what the engine's start refuses: a template folder with a template
 * that does not parse, built-in pack scenarios that clash with the folder's or do not exist, and a
 * pop-in whose Liquid does not parse (which start and a reload now refuse too, rather than every
 * firing failing at delivery). (Product review: check said "no problems" of all of these.)
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { tripwireCli } from '../support/tripwire-cli.js';

const demo = fileURLToPath(new URL('../../deploy/demo/', import.meta.url));
const pack = fileURLToPath(new URL('../../engine/scenarios/pack/', import.meta.url));

const folders: string[] = [];

async function folder(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tripwire-check-'));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('tripwire check, as the engine start would', () => {
  test('names the file, line and column of a template of the template folder that does not parse, and exits 1', async () => {
    const templates = await folder();
    await cp(join(demo, 'templates'), templates, { recursive: true });
    const file = join(templates, 'cart-abandoned.html.liquid');
    const lines = (await readFile(file, 'utf8')).split('\n').length;
    await writeFile(file, `${await readFile(file, 'utf8')}{% if cart.size > 0 %}<p>{{ visitor.name | nosuch }}</p>\n`);

    const checked = await tripwireCli(['check'], { TW_TEMPLATES_DIR: templates });

    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(`cart-abandoned.html.liquid:${lines}:`);
    expect(checked.stderr).toMatch(/undefined filter: nosuch/);
  });
});
