import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TemplateRenderer } from './index.js';

/** docs/templates.md is copied from by people writing their first template: its examples render as it says. */
const guide = await readFile(fileURLToPath(new URL('../../../docs/templates.md', import.meta.url)), 'utf8');
const demoTemplates = fileURLToPath(new URL('../../../deploy/demo/templates', import.meta.url));

const site = { key: 'acme', name: 'Acme', from: 'shop@acme.test', publicUrl: 'https://acme.test/shop' };

describe('docs/templates.md', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tripwire-templates-guide-'));
    await cp(demoTemplates, dir, { recursive: true });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('the layout and partial example renders its button with a link to the cart', async () => {
    const example = /```liquid\n([\s\S]*?)```/.exec(guide)?.[1];
    expect(example).toBeDefined();
    await writeFile(join(dir, 'guide-example.html.liquid'), example!);
    await writeFile(join(dir, 'guide-example.text.liquid'), 'Your cart is saved.');
    const email = await new TemplateRenderer({ dir }).render('guide-example', { site, visitor: {} }, { subject: 'Your cart' });
    expect(email.html).toContain('Hi there,');
    expect(email.html).toMatch(/<a href="https:\/\/acme\.test\/shop\/cart"[^>]*>Back to my cart<\/a>/);
  });

  test('the money filter gives what the guide says it gives', async () => {
    const examples = [...guide.matchAll(/`(\{\{ [^`]*\| money[^`]*\}\})` gives `([^`]+)`/g)];
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const [, source, shown] of examples) {
      await writeFile(join(dir, 'money-example.html.liquid'), source!);
      await writeFile(join(dir, 'money-example.text.liquid'), source!);
      const email = await new TemplateRenderer({ dir }).render('money-example', { site, cartTotal: 19.9 }, { subject: 'Money' });
      expect(email.text.trim(), source).toBe(shown);
    }
  });
});
