import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers a feed request is signed with, as an alternative to sending the secret itself. */
export const SIGNATURE_HEADER = 'x-tripwire-signature';
export const TIMESTAMP_HEADER = 'x-tripwire-timestamp';

/** `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` with the site's secret; timestamp in Unix seconds. */
export function feedSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface FeedCredentials {
  /** Lower-cased header names, as the gateway hands them over. */
  headers: Readonly<Record<string, string>>;
  body: string;
  now: number;
}

/**
 * True when the request carries `Authorization: Bearer <site secret>`, or a signature of its
 * body made with the secret less than `tolerance` ms from now (so a captured request cannot be
 * replayed later to undo a price change).
 */
export function isAuthorizedFeed(secret: string, credentials: FeedCredentials, tolerance: number): boolean {
  const { headers, body, now } = credentials;
  const authorization = headers.authorization ?? '';
  if (authorization.startsWith('Bearer ')) return sameText(authorization.slice('Bearer '.length).trim(), secret);
  const signature = headers[SIGNATURE_HEADER];
  const timestamp = headers[TIMESTAMP_HEADER];
  if (signature === undefined || timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now - Number(timestamp) * 1000) > tolerance) return false;
  return sameText(signature.toLowerCase(), feedSignature(secret, timestamp, body));
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
