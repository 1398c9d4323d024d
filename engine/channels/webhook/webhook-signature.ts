import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a delivery is signed in: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const WEBHOOK_SIGNATURE_HEADER = 'Tripwire-Signature';

/** How far a receiver should let the signed time be from its own clock: 5 minutes. */
export const WEBHOOK_SIGNATURE_TOLERANCE_MS = 300_000;

/**
 * Signs the time with the body (the Stripe and Svix scheme): a receiver that refuses a time
 * outside its tolerance cannot be fed a captured delivery again later. Each attempt is signed
 * when it is sent, so a retry carries a fresh time.
 */
export function signWebhook(secret: string, unixSeconds: number, body: string): string {
  return `t=${unixSeconds},v1=${hmac(secret, unixSeconds, body)}`;
}

/**
 * What a receiver does with a delivery (also the reference for receivers in other languages):
 * the header's time within `toleranceMs` of now, and a `v1` that matches the HMAC of
 * `<t>.<body>` (the raw body, before any JSON parsing), compared in constant time.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string,
  now: number,
  toleranceMs = WEBHOOK_SIGNATURE_TOLERANCE_MS,
): boolean {
  if (header === undefined) return false;
  const parts = header.split(',').map((part) => part.trim().split('='));
  const time = parts.find(([key]) => key === 't')?.[1];
  if (time === undefined || !/^\d{1,12}$/.test(time)) return false;
  if (Math.abs(now - Number(time) * 1000) > toleranceMs) return false;
  const expected = Buffer.from(hmac(secret, Number(time), body), 'hex');
  // A signature per v1 entry: a receiver accepts any, so a secret can be rotated without a gap.
  return parts.some(([key, value]) => {
    if (key !== 'v1' || value === undefined || !/^[0-9a-f]{64}$/.test(value)) return false;
    return timingSafeEqual(Buffer.from(value, 'hex'), expected);
  });
}

function hmac(secret: string, unixSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
}
