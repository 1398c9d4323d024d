import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTemplates } from './index.js';

const demoTemplates = fileURLToPath(new URL('../../../deploy/demo/templates', import.meta.url));

const folders: string[] = [];

async function templateFolder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tripwire-templates-'));
  folders.push(dir);
  for (const [name, source] of Object.entries(files)) await writeFile(join(dir, name), source);
  return dir;
}

async function messages(dir: string): Promise<string[]> {
  const problems = await checkTemplates(dir);
  expect(problems.every((problem) => problem.code === 'TW_TEMPLATE_INVALID')).toBe(true);
  return problems.map((problem) => problem.message);
}

afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('checkTemplates', () => {
  it('finds nothing wrong with the demo templates', async () => {
    expect(await messages(demoTemplates)).toEqual([]);
  });

  it('reports every file that does not parse', async () => {
    const dir = await templateFolder({
      'a.html.liquid': '{{ x | nope }}',
      'a.text.liquid': 'fine',
      'b.html.liquid': 'fine',
      'b.text.liquid': '{% for item in cart %}',
    });

    expect(await messages(dir)).toEqual([
      'a.html.liquid:1:1: undefined filter: nope',
      expect.stringMatching(/^b\.text\.liquid:1:1: tag .*for.* not closed/),
    ]);
  });

  it('reports a money filter given a currency code it cannot format, wherever it sits in the file', async () => {
    const dir = await templateFolder({
      'a.html.liquid': '{% for item in cart %}{{ item.price | money: "EURO" }}{% endfor %}',
      'a.text.liquid': '{{ cartTotal | money: "eur" }}',
    });

    expect(await messages(dir)).toEqual(['a.html.liquid:1:23: money: "EURO" is not a currency code: write an ISO 4217 code such as "EUR", "USD" or "GBP"']);
  });

  it('reports a template without a text part', async () => {
    const dir = await templateFolder({ 'a.subject.liquid': 'Hi', 'a.html.liquid': 'hi' });

    expect(await messages(dir)).toEqual(['a.text.liquid: missing (every template needs html and text parts)']);
  });

  it('reports a layout that does not exist', async () => {
    const dir = await templateFolder({
      'a.html.liquid': '{% layout "frame" %}{% block content %}hi{% endblock %}',
      'a.text.liquid': 'hi',
    });

    expect(await messages(dir)).toEqual([expect.stringMatching(/^a\.html\.liquid:1:1: .*Failed to lookup "frame"/)]);
  });

  it('reports a folder that cannot be read', async () => {
    const problems = await messages(join(tmpdir(), 'tripwire-no-such-folder'));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/tripwire-no-such-folder: cannot read the template folder/);
  });
});
