import { expect, test } from 'vitest';
import type { PageRequest } from './gateway.js';
import { VisitorCookiePage, fromOwnPage } from './visitor-cookie.js';

const page = new VisitorCookiePage({ secure: false });

/** The tracker's own fetch: same-origin, as a current browser says. */
const OWN_PAGE = { 'sec-fetch-site': 'same-origin' };

function get(query: string, headers: Record<string, string> = OWN_PAGE): PageRequest {
  return { method: 'GET', path: '/id', query, headers };
}

async function setCookie(source: VisitorCookiePage, request: PageRequest): Promise<string> {
  const response = await source.handle(request);
  return response!.headers!['Set-Cookie']!;
}

test("sets the tracker's visitor id as a 400-day first-party cookie the tracker can read", async () => {
  const response = await page.handle(get('v=abc-123'));
  expect(response!.headers).toEqual({ 'Set-Cookie': 'tw_vid=abc-123; Max-Age=34560000; Path=/; SameSite=Lax', 'Cache-Control': 'no-store' });
  expect(JSON.parse(String(response!.body))).toEqual({ v: 'abc-123' });
});

test('keeps the id the cookie already holds when the request names none', async () => {
  expect(await setCookie(page, get('', { ...OWN_PAGE, cookie: 'a=1; tw_vid=kept_1; b=2' }))).toMatch(/^tw_vid=kept_1;/);
});

test('makes a new id when neither the request nor the cookie holds a valid one', async () => {
  const cookie = await setCookie(page, get('v=' + encodeURIComponent('<script>'), { ...OWN_PAGE, cookie: 'tw_vid=bad id' }));
  expect(cookie).toMatch(/^tw_vid=[A-Za-z0-9_-]{16};/);
});

test('is Secure when the proxy in front says the visit was https, or the engine is configured https', async () => {
  expect(await setCookie(page, get('v=a', { ...OWN_PAGE, 'x-forwarded-proto': 'https' }))).toMatch(/; Secure$/);
  expect(await setCookie(page, get('v=a', { ...OWN_PAGE, forwarded: 'for=1.2.3.4;proto=https' }))).toMatch(/; Secure$/);
  expect(await setCookie(page, get('v=a', { ...OWN_PAGE, 'x-forwarded-proto': 'http' }))).not.toMatch(/Secure/);
  expect(await setCookie(new VisitorCookiePage({ secure: true }), get('v=a'))).toMatch(/; Secure$/);
});

test('answers only GET /id', async () => {
  expect(await page.handle({ ...get('v=a'), method: 'POST' })).toBeUndefined();
  expect(await page.handle({ ...get('v=a'), path: '/id/more' })).toBeUndefined();
});

test("ignores the id a request of another site asks for: it keeps the cookie's id, else makes one", async () => {
  const crossSite = { 'sec-fetch-site': 'cross-site', cookie: 'tw_vid=kept_1' };
  expect(await setCookie(page, get('v=chosen', crossSite))).toMatch(/^tw_vid=kept_1;/);
  expect(await setCookie(page, get('v=chosen', { 'sec-fetch-site': 'cross-site' }))).toMatch(/^tw_vid=(?!chosen;)[A-Za-z0-9_-]{16};/);
});

test('takes the asked id only from a page of its own origin, by Sec-Fetch-Site, else by a Referer of the same host', () => {
  expect(fromOwnPage({ 'sec-fetch-site': 'same-origin' })).toBe(true);
  for (const site of ['same-site', 'cross-site', 'none']) expect(fromOwnPage({ 'sec-fetch-site': site })).toBe(false);
  // A browser that says Sec-Fetch-Site is believed over its Referer.
  expect(fromOwnPage({ 'sec-fetch-site': 'cross-site', host: 'shop.example', referer: 'https://shop.example/cart' })).toBe(false);
  // Without Sec-Fetch-Site (Safari before 16.4): the Referer's host is the Host, or the proxy's X-Forwarded-Host.
  expect(fromOwnPage({ host: 'shop.example', referer: 'https://shop.example/cart' })).toBe(true);
  expect(fromOwnPage({ host: '127.0.0.1:8080', 'x-forwarded-host': 'shop.example', referer: 'https://shop.example/cart' })).toBe(true);
  expect(fromOwnPage({ host: '127.0.0.1:8080', 'x-forwarded-host': 'shop.example, cdn.example', referer: 'https://shop.example/' })).toBe(true);
  expect(fromOwnPage({ host: 'shop.example', referer: 'https://attacker.example/free-gift' })).toBe(false);
  expect(fromOwnPage({ host: 'shop.example', referer: 'https://shop.example.attacker.example/' })).toBe(false);
  expect(fromOwnPage({ host: 'shop.example' })).toBe(false);
  expect(fromOwnPage({ host: 'shop.example', referer: 'not a url' })).toBe(false);
  expect(fromOwnPage({ 'x-forwarded-host': '', referer: 'file:///tmp/page.html' })).toBe(false);
});
