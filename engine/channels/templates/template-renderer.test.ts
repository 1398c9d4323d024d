import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TripwireError } from '../../errors.js';
import { TemplateRenderer } from './index.js';

const demoTemplates = fileURLToPath(new URL('../../../deploy/demo/templates', import.meta.url));

const site = { key: 'acme', name: 'Acme & Co', from: 'shop@acme.test', publicUrl: 'https://acme.test' };

const cartContext = {
  site,
  visitor: { name: 'Alice', email: 'alice@example.test' },
  cart: [
    { id: 'p1', name: 'Trail shoes', price: 49.9, qty: 2, image: 'https://acme.test/img/p1.jpg', url: 'https://acme.test/p/p1' },
    { id: 'p2', name: 'Wool socks', price: 5, qty: 1, image: 'https://acme.test/img/p2.jpg', url: 'https://acme.test/p/p2' },
  ],
  cartTotal: 104.8,
};

const folders: string[] = [];

async function templateFolder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tripwire-templates-'));
  folders.push(dir);
  for (const [name, source] of Object.entries(files)) await writeFile(join(dir, name), source);
  return dir;
}

async function renderError(promise: Promise<unknown>): Promise<TripwireError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TripwireError);
  return error as TripwireError;
}

afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('TemplateRenderer', () => {
  it('renders the subject, HTML and text of a cart email', async () => {
    const renderer = new TemplateRenderer({ dir: demoTemplates });

    const email = await renderer.render('cart-abandoned', cartContext);

    expect(email.subject).toBe('Alice, your 2 items are waiting at Acme & Co');
    expect(email.html).toContain('Trail shoes');
    expect(email.html).toContain('src="https://acme.test/img/p2.jpg"');
    expect(email.html).toContain('99.80');
    expect(email.html).toContain('104.80');
    expect(email.html).toContain('href="https://acme.test/cart"');
    expect(email.text).toContain('- Trail shoes: 2 x 49.90 = 99.80');
    expect(email.text).toContain('Total: 104.80');
    expect(email.text).toContain('https://acme.test/cart');
  });

  it('wraps the HTML part in the shared layout', async () => {
    const renderer = new TemplateRenderer({ dir: demoTemplates });

    const email = await renderer.render('welcome', cartContext);

    expect(email.html).toMatch(/^<!DOCTYPE html>/);
    expect(email.html).toContain('<title>Acme &amp; Co</title>');
  });

  it('HTML-escapes values, so a product name cannot inject markup', async () => {
    const renderer = new TemplateRenderer({ dir: demoTemplates });
    const product = { name: 'Lamp<script>alert(1)</script>', price: 30, url: 'https://acme.test/p/l?a=1&b=2' };

    const email = await renderer.render('browse-abandoned', { ...cartContext, product });

    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('Lamp&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('href="https://acme.test/p/l?a=1&amp;b=2"');
  });

  it('leaves the subject and text parts unescaped', async () => {
    const renderer = new TemplateRenderer({ dir: demoTemplates });
    const product = { name: 'Salt & <Pepper>', url: 'https://acme.test/p/s' };

    const email = await renderer.render('browse-abandoned', { ...cartContext, product });

    expect(email.subject).toBe('Still thinking about Salt & <Pepper>?');
    expect(email.text).toContain('You had a look at Salt & <Pepper> earlier.');
  });

  it('renders the subject a scenario sets in place of the template subject', async () => {
    const renderer = new TemplateRenderer({ dir: demoTemplates });

    const email = await renderer.render('cart-abandoned', cartContext, { subject: '{{ visitor.name }}, {{ cartTotal | money: "EUR" }} left in your cart' });

    expect(email.subject).toBe('Alice, €104.80 left in your cart');
  });

  it('joins a multi-line subject into one header line', async () => {
    const dir = await templateFolder({
      'note.subject.liquid': '\n  Hello\n  {{ visitor.name }}\n',
      'note.html.liquid': '<p>hi</p>',
      'note.text.liquid': 'hi',
    });

    const email = await new TemplateRenderer({ dir }).render('note', { visitor: { name: 'Bo' } });

    expect(email.subject).toBe('Hello Bo');
  });

  it('reports a broken template as TW_TEMPLATE_INVALID naming the file and line', async () => {
    const dir = await templateFolder({
      'broken.subject.liquid': 'Hi',
      'broken.html.liquid': '<p>ok</p>\n<p>{{ product.name | shout }}</p>',
      'broken.text.liquid': 'ok',
    });

    const error = await renderError(new TemplateRenderer({ dir }).render('broken', {}));

    expect(error.code).toBe('TW_TEMPLATE_INVALID');
    expect(error.message).toBe('broken.html.liquid:2:4: undefined filter: shout');
  });

  it('names the layout when the fault is in the layout', async () => {
    const dir = await templateFolder({
      'layout.liquid': '<html>{% if %}{% block content %}{% endblock %}</html>',
      'note.subject.liquid': 'Hi',
      'note.html.liquid': '{% layout "layout" %}{% block content %}hi{% endblock %}',
      'note.text.liquid': 'hi',
    });

    const error = await renderError(new TemplateRenderer({ dir }).render('note', {}));

    expect(error.code).toBe('TW_TEMPLATE_INVALID');
    expect(error.message).toMatch(/^layout\.liquid:1:\d+: invalid value expression/);
  });

  it('reports a missing template part as TW_TEMPLATE_INVALID naming the file', async () => {
    const dir = await templateFolder({ 'note.subject.liquid': 'Hi', 'note.html.liquid': 'hi' });

    const error = await renderError(new TemplateRenderer({ dir }).render('note', {}));

    expect(error.code).toBe('TW_TEMPLATE_INVALID');
    expect(error.message).toBe(`note.text.liquid: no such file in ${dir}`);
  });

  it('refuses a template name that would leave the template folder', async () => {
    const renderer = new TemplateRenderer({ dir: demoTemplates });

    const error = await renderError(renderer.render('../secrets', {}));

    expect(error.code).toBe('TW_TEMPLATE_INVALID');
  });

  it('keeps serving the parsed template after its file changes', async () => {
    const dir = await templateFolder({ 'note.subject.liquid': 'First', 'note.html.liquid': 'hi', 'note.text.liquid': 'hi' });
    const renderer = new TemplateRenderer({ dir });
    await renderer.render('note', {});

    await writeFile(join(dir, 'note.subject.liquid'), 'Second');

    expect((await renderer.render('note', {})).subject).toBe('First');
  });
});
