import { randomBytes } from 'node:crypto';
import { PATHS, VISITOR_ID_PATTERN } from '../protocol/index.js';
import type { PageRequest, PageResponse, PageSource } from './gateway.js';

/** tw_vid: the name the tracker reads (tracker/src/identity.ts). */
const COOKIE = 'tw_vid';
/** 400 days, the longest lifetime browsers keep a cookie for. */
const MAX_AGE_SECONDS = 34_560_000;

export interface VisitorCookieOptions {
  /** Always mark the cookie Secure (the engine's public URL is https); otherwise only when the proxy says the request was https. */
  secure: boolean;
}

/**
 * GET /id: sets the visitor id as a first-party cookie from the server. Safari deletes storage
 * written by scripts after 7 days without a visit, but not a cookie the site's own server set,
 * so when the engine is served under the site's origin (a reverse-proxy path, docs/tracker.md)
 * the visitor stays the same. The id is the tracker's (`?v=`), else the cookie's, else a new one.
 * `?v=` counts only from the tracker's own same-origin fetch (fromOwnPage): a link or a form of
 * another site could otherwise choose the visitor's id (SameSite=Lax lets a top-level navigation
 * set the cookie), then send events as that visitor and receive its pop-ins.
 *
 * Not HttpOnly: the tracker reads it to know the visitor. The id is a random pseudonym, not a
 * credential, and a script that could read it could also send events as the visitor anyway.
 */
export class VisitorCookiePage implements PageSource {
  readonly prefix = PATHS.visitorCookie;

  constructor(private readonly options: VisitorCookieOptions) {}

  async handle(request: PageRequest): Promise<PageResponse | undefined> {
    if (request.method !== 'GET' || request.path !== this.prefix) return undefined;
    const asked = fromOwnPage(request.headers) ? new URLSearchParams(request.query).get('v') : undefined;
    const held = /(?:^|;\s*)tw_vid=([^;]*)/.exec(request.headers.cookie ?? '')?.[1];
    const id = [asked, held].find((candidate) => candidate && VISITOR_ID_PATTERN.test(candidate)) ?? randomBytes(12).toString('base64url');
    const secure = this.options.secure || isHttps(request.headers) ? '; Secure' : '';
    return {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ v: id }),
      headers: { 'Set-Cookie': `${COOKIE}=${id}; Max-Age=${MAX_AGE_SECONDS}; Path=/; SameSite=Lax${secure}`, 'Cache-Control': 'no-store' },
    };
  }
}

/**
 * Whether the request comes from a page of the engine's own origin: the browser says so in
 * Sec-Fetch-Site. A browser that sends no Sec-Fetch-Site (Safari before 16.4) gives the page's
 * URL as Referer, whose host must then be the request's own: Host, or X-Forwarded-Host when the
 * site's proxy rewrites Host for the engine.
 */
export function fromOwnPage(headers: Record<string, string>): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const referer = headers.referer;
  if (referer === undefined || !URL.canParse(referer)) return false;
  const from = new URL(referer).host;
  return from !== '' && (from === headers.host || from === headers['x-forwarded-host']?.split(',')[0]?.trim());
}

/** The proxy in front tells whether the visitor's request was https (X-Forwarded-Proto, or the standard Forwarded). */
function isHttps(headers: Record<string, string>): boolean {
  return headers['x-forwarded-proto']?.split(',')[0]?.trim() === 'https' || /(?:^|[;,\s])proto=https\b/i.test(headers.forwarded ?? '');
}
