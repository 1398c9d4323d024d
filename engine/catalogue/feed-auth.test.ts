import { describe, expect, test } from 'vitest';
import { feedSignature, isAuthorizedFeed } from './feed-auth.js';

const SECRET = 'a-site-secret-of-some-length';
const NOW = 1_700_000_000_000;
const TOLERANCE = 300_000;

describe('isAuthorizedFeed', () => {
  test('accepts the site secret as a bearer token, and nothing else', () => {
    expect(isAuthorizedFeed(SECRET, { headers: { authorization: `Bearer ${SECRET}` }, body: '', now: NOW }, TOLERANCE)).toBe(true);
    expect(isAuthorizedFeed(SECRET, { headers: { authorization: 'Bearer nope' }, body: '', now: NOW }, TOLERANCE)).toBe(false);
    expect(isAuthorizedFeed(SECRET, { headers: {}, body: '', now: NOW }, TOLERANCE)).toBe(false);
  });

  test('accepts a signature of the body made with the secret, within the tolerance', () => {
    const timestamp = String(NOW / 1000);
    const headers = { 'x-tripwire-timestamp': timestamp, 'x-tripwire-signature': feedSignature(SECRET, timestamp, '[1]') };
    expect(isAuthorizedFeed(SECRET, { headers, body: '[1]', now: NOW }, TOLERANCE)).toBe(true);
    expect(isAuthorizedFeed(SECRET, { headers, body: '[2]', now: NOW }, TOLERANCE)).toBe(false);
  });

  test('refuses a signed request replayed later than the tolerance', () => {
    const timestamp = String(NOW / 1000);
    const headers = { 'x-tripwire-timestamp': timestamp, 'x-tripwire-signature': feedSignature(SECRET, timestamp, '[]') };
    expect(isAuthorizedFeed(SECRET, { headers, body: '[]', now: NOW + TOLERANCE + 1000 }, TOLERANCE)).toBe(false);
  });
});
