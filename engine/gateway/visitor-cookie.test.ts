import { expect, test } from 'vitest';
import type { PageRequest } from './gateway.js';
import { VisitorCookiePage } from './visitor-cookie.js';

const page = new VisitorCookiePage({ secure: false });

function get(query: string, headers: Record<string, string> = {}): PageRequest {
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
  expect(await setCookie(page, get('', { cookie: 'a=1; tw_vid=kept_1; b=2' }))).toMatch(/^tw_vid=kept_1;/);
});

test('makes a new id when neither the request nor the cookie holds a valid one', async () => {
  const cookie = await setCookie(page, get('v=' + encodeURIComponent('<script>'), { cookie: 'tw_vid=bad id' }));
  expect(cookie).toMatch(/^tw_vid=[A-Za-z0-9_-]{16};/);
});

test('is Secure when the proxy in front says the visit was https, or the engine is configured https', async () => {
  expect(await setCookie(page, get('v=a', { 'x-forwarded-proto': 'https' }))).toMatch(/; Secure$/);
  expect(await setCookie(page, get('v=a', { forwarded: 'for=1.2.3.4;proto=https' }))).toMatch(/; Secure$/);
  expect(await setCookie(page, get('v=a', { 'x-forwarded-proto': 'http' }))).not.toMatch(/Secure/);
  expect(await setCookie(new VisitorCookiePage({ secure: true }), get('v=a'))).toMatch(/; Secure$/);
});

test('answers only GET /id', async () => {
  expect(await page.handle({ ...get('v=a'), method: 'POST' })).toBeUndefined();
  expect(await page.handle({ ...get('v=a'), path: '/id/more' })).toBeUndefined();
});
