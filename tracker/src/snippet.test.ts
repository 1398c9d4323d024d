import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { SNIPPET_STUB, SNIPPET_STUB_CSP_HASH, snippet } from './snippet.js';

test('is the decided two-tag form a site pastes', () => {
  expect(snippet('https://engine.example.com/tw.js', 'shop')).toBe(
    '<script>window.tw=window.tw||function(){(tw.q=tw.q||[]).push(arguments)};</script>' +
      '<script async src="https://engine.example.com/tw.js" data-site="shop"></script>',
  );
});

test('carries the optional attributes', () => {
  const html = snippet('https://e.example/tw.js', 'shop', {
    automaticPages: false,
    consentRequired: true,
    respectDoNotTrack: true,
    capture: ['jsonld', 'datalayer', 'exit'],
  });
  expect(html).toContain(' data-auto="0" data-consent="required" data-respect-dnt="1" data-capture="jsonld,datalayer,exit"></script>');
});

test('escapes the site key and URL into attributes', () => {
  expect(snippet('https://e.example/tw.js?a=1&b="2"', 'x"><script>')).toContain(
    'src="https://e.example/tw.js?a=1&amp;b=&quot;2&quot;" data-site="x&quot;&gt;&lt;script&gt;"',
  );
});

test('publishes the CSP hash of its inline stub', () => {
  const hash = createHash('sha256').update(SNIPPET_STUB).digest('base64');
  expect(SNIPPET_STUB_CSP_HASH).toBe(`'sha256-${hash}'`);
});
