/*
 * The dashboard's sign-in cookie (tw_admin) carries the admin token: it is Secure whenever the
 * engine is reached over https, known from its public URL as for the visitor cookie (tw_vid), or
 * from the proxy's X-Forwarded-Proto. A browser then never sends the token over plain http.
 */
import { afterEach, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';

const ADMIN_TOKEN = 'admin-cookie-test-token-0123456789';
let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

async function signInCookie(headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${engine!.port}/dashboard/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: `token=${ADMIN_TOKEN}`,
    redirect: 'manual',
  });
  expect(response.status).toBe(302);
  return response.headers.get('set-cookie') ?? '';
}

test('the admin cookie is Secure when the public URL is https, as the visitor cookie is', async () => {
  engine = await startTestEngine('embedded', undefined, { server: { publicUrl: 'https://tripwire.example' }, admin: { token: ADMIN_TOKEN } });

  const admin = await signInCookie();
  const visitor = (await fetch(`http://127.0.0.1:${engine.port}/id`)).headers.get('set-cookie') ?? '';

  expect(visitor).toMatch(/; Secure/);
  expect(admin).toMatch(/^tw_admin=.*; HttpOnly; SameSite=Strict;.*; Secure/);
});

test('on a plain http public URL the admin cookie is Secure only when the proxy says the request came over https', async () => {
  engine = await startTestEngine('embedded', undefined, { admin: { token: ADMIN_TOKEN } });

  expect(await signInCookie()).not.toMatch(/Secure/);
  expect(await signInCookie({ 'x-forwarded-proto': 'https' })).toMatch(/; Secure/);
});
