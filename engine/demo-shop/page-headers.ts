import { createHash } from 'node:crypto';
import { TRACKER_STUB } from './pages/layout.js';

/**
 * The shop sends the strict Content-Security-Policy a careful site would: no inline script
 * but the pasted stub (allowed by its hash), no inline styles, connections only to its own
 * origin. The tracker must work under it, and the demo shows that it does.
 */
export function pageHeaders(): Record<string, string> {
  const stubHash = createHash('sha256').update(TRACKER_STUB).digest('base64');
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'sha256-${stubHash}'`,
    "style-src 'self'",
    // Pop-ins may show images hosted anywhere over https.
    "img-src 'self' https: data:",
    "connect-src 'self'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cache-control': 'no-cache',
  };
}
