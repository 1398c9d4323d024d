import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TrackedEvent } from '../events/index.js';

/** The HMAC a site's backend computes for an identify: hex HMAC-SHA256 of the lowercased email. */
export function identityHmac(secret: string, email: string): string {
  return createHmac('sha256', secret).update(email.trim().toLowerCase()).digest('hex');
}

/**
 * Replaces the client's `hmac` by `verified: true|false`. Only the engine decides whether an
 * email is trusted; otherwise anyone could make it mail a stranger.
 */
export function verifyIdentify(event: TrackedEvent, secret: string): void {
  if (event.type !== 'identify') return;
  const { hmac, ...props } = event.props;
  const email = props.email;
  let verified = false;
  if (typeof email === 'string' && typeof hmac === 'string') {
    const expected = Buffer.from(identityHmac(secret, email), 'utf8');
    const given = Buffer.from(hmac.toLowerCase(), 'utf8');
    verified = expected.length === given.length && timingSafeEqual(expected, given);
  }
  event.props = { ...props, verified };
}
