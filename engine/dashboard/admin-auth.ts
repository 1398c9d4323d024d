import { createHash, timingSafeEqual } from 'node:crypto';
import { percentDecoded, type PageRequest } from '../gateway/index.js';

const COOKIE = 'tw_admin';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The value of one cookie in a Cookie header, or undefined; a value that does not decode is no credential, so its holder can sign in again. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return percentDecoded(value.join('='));
  }
  return undefined;
}

/**
 * Who may read the warehouse over HTTP: whoever holds the admin token, sent as
 * `Authorization: Bearer <token>` (API clients) or in the HttpOnly cookie the dashboard login sets.
 */
export class AdminAuth {
  private readonly expected: Buffer;

  constructor(private readonly token: string) {
    this.expected = digest(token);
  }

  /** Compares digests in constant time, so the answer's timing says nothing about the token. */
  accepts(candidate: string | undefined): boolean {
    if (candidate === undefined || candidate === '') return false;
    return timingSafeEqual(digest(candidate), this.expected);
  }

  allows(request: PageRequest): boolean {
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
    return this.accepts(bearer) || this.accepts(cookieValue(request.headers.cookie, COOKIE));
  }

  /**
   * Set-Cookie for a signed-in browser: HttpOnly, SameSite=Strict, Secure when the engine is
   * reached over https. Path=/, not /dashboard: the query API (/api/queries) and the backtest API
   * (/api/backtest) take the cookie too, so a signed-in browser can open a query's CSV.
   */
  signInCookie(secure: boolean): string {
    return `${COOKIE}=${encodeURIComponent(this.token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200${secure ? '; Secure' : ''}`;
  }

  signOutCookie(): string {
    return `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }
}
