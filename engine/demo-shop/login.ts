import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { jsonResponse, type ShopResponse } from './shop-response.js';

/**
 * The shop's own backend for sign-in, as a real site's would be: it vouches for the
 * visitor's email by signing it with the site secret, so the engine can trust an
 * `identify` that carries the signature and refuse one that does not.
 */
export function identityHmac(email: string, siteSecret: string): string {
  return createHmac('sha256', siteSecret).update(email.trim().toLowerCase()).digest('hex');
}

/** Sign-in bodies are one email and a name; anything bigger is not a sign-in. */
const MAX_LOGIN_BODY_BYTES = 4096;

const loginBody = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  name: z.string().trim().max(100).optional(),
});

export function answerLogin(body: string | undefined, siteSecret: string): ShopResponse {
  if (body === undefined || Buffer.byteLength(body) > MAX_LOGIN_BODY_BYTES) {
    return jsonResponse(400, { error: 'Send a JSON body {"email": "..."} of at most 4 KB.' });
  }
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return jsonResponse(400, { error: 'The body is not valid JSON. Send {"email": "..."}.' });
  }
  const parsed = loginBody.safeParse(data);
  if (!parsed.success) {
    return jsonResponse(400, { error: 'Enter a valid email address.' });
  }
  const { email, name } = parsed.data;
  return jsonResponse(200, { email, ...(name ? { name } : {}), hmac: identityHmac(email, siteSecret) });
}
