/*
 * The dashboard's sign-in cookie (tw_admin) carries the admin token: it is Secure whenever the
 * engine is reached over https, known from its public URL's host (the name the request came by),
 * or from the proxy's X-Forwarded-Proto. A browser then never sends the token over plain http,
 * while a sign-in at the engine's own address over plain http still works.
 */
import { request } from 'node:http';
import { afterEach, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';

const ADMIN_TOKEN = 'admin-cookie-test-token-0123456789';
let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/** The cookie of a sign-in; node:http rather than fetch, which does not let a caller set Host. */
function signInCookie(headers: Record<string, string> = {}): Promise<string> {
  const body = `token=${ADMIN_TOKEN}`;
  return new Promise((resolve, reject) => {
    const sent = request(
      { host: '127.0.0.1', port: engine!.port, path: '/dashboard/login', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...headers } },
      (response) => {
        response.resume();
        expect(response.statusCode).toBe(302);
        resolve([response.headers['set-cookie'] ?? []].flat().join('\n'));
      },
    );
    sent.once('error', reject);
    sent.end(body);
  });
}

test('the admin cookie is Secure when the public URL is https, as the visitor cookie is', async () => {
  engine = await startTestEngine('embedded', undefined, { server: { publicUrl: 'https://tripwire.example' }, admin: { token: ADMIN_TOKEN } });

  const admin = await signInCookie({ host: 'tripwire.example' });
  const visitor = (await fetch(`http://127.0.0.1:${engine.port}/id`)).headers.get('set-cookie') ?? '';

  expect(visitor).toMatch(/; Secure/);
  expect(admin).toMatch(/^tw_admin=.*; HttpOnly; SameSite=Strict;.*; Secure/);
});

test('with an https public URL, a sign-in at the engine\'s own address over plain http keeps a cookie the browser can send back', async () => {
  engine = await startTestEngine('embedded', undefined, { server: { publicUrl: 'https://tripwire.example' }, admin: { token: ADMIN_TOKEN } });

  expect(await signInCookie()).not.toMatch(/Secure/);
});

test('on a plain http public URL the admin cookie is Secure only when the proxy says the request came over https', async () => {
  engine = await startTestEngine('embedded', undefined, { admin: { token: ADMIN_TOKEN } });

  expect(await signInCookie()).not.toMatch(/Secure/);
  expect(await signInCookie({ 'x-forwarded-proto': 'https' })).toMatch(/; Secure/);
});
