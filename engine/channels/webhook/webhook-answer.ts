/** What to do after one attempt: done, try again (not before `afterMs`, when the receiver said), or give up now. */
export type WebhookOutcome = { kind: 'sent' } | { kind: 'retry'; afterMs?: number } | { kind: 'permanent' };

/**
 * A receiver's answer, read as HTTP means it: 2xx took the delivery; 408 (it timed out reading),
 * 429 (slow down) and 5xx (its own trouble) may pass, so they are tried again, after Retry-After
 * when sent; any other answer (400, 401, 403, 404, 410, 422, a redirect left unfollowed...) says
 * the request itself is refused, and the same request will be refused again.
 */
export function webhookOutcome(status: number, retryAfter: string | null, now: number): WebhookOutcome {
  if (status >= 200 && status < 300) return { kind: 'sent' };
  if (status !== 408 && status !== 429 && status < 500) return { kind: 'permanent' };
  const afterMs = retryAfterMs(retryAfter, now);
  return afterMs === undefined ? { kind: 'retry' } : { kind: 'retry', afterMs };
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
