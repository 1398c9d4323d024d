import { expect, test } from 'vitest';
import { isSafeLink } from './safe-link.js';

/** Where a browser on the shop sends the visitor: the WHATWG parser, as Node and browsers implement it. */
const resolved = (link: string) => new URL(link, 'https://shop.example/p/1').origin;

test.each([
  '/\\evil.com',
  '//evil.com',
  '\\\\evil.com',
  '/\\\\evil.com',
  '\\/evil.com',
  '/\t/evil.com',
  '/\n/evil.com',
  '/\r\\evil.com',
  ' //evil.com',
  '\t//evil.com',
  '\u0000//evil.com',
  '//evil.com\n',
])('refuses %j, a path that browsers resolve to another host', (link) => {
  expect(resolved(link)).toBe('https://evil.com');
  expect(isSafeLink(link)).toBe(false);
});

test.each(['/p/1', '/shop/img/kettle-1.svg?size=2#top', '/%5Cevil.com', '/a\\b', ' /p/1 ', '/p/\n1'])(
  'accepts %j, a path that stays on the site',
  (link) => {
    expect(resolved(link)).toBe('https://shop.example');
    expect(isSafeLink(link)).toBe(true);
  },
);

test.each(['https://partner.example/offer', 'HTTP://partner.example', 'https://shop.example/p/1'])('accepts the absolute http(s) URL %j', (link) => {
  expect(isSafeLink(link)).toBe(true);
});

test.each(['javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,x', 'p/1', '', 'https://', 'https:\\\\evil.com'])('refuses %j', (link) => {
  expect(isSafeLink(link)).toBe(false);
});
