import { VISITOR_ID_PATTERN } from '../../engine/protocol/index.js';
import { randomId } from './ids.js';
import { cookie, recall, remember } from './storage.js';

const VISITOR_KEY = 'tw_v';
/**
 * The visitor cookie the engine sets (GET /id) when it is served under the site's own origin.
 * Safari erases what scripts store after 7 days without a visit, but not a cookie set by the
 * site's server: when present, it is the visitor id.
 */
const SERVER_KEY = 'tw_vid';
const SESSION_KEY = 'tw_ss';
const SESSION_IDLE_MS = 30 * 60 * 1000;

/** The browser's visitor id: the server-set cookie's, else made on first use and kept in localStorage (cookie fallback). */
export function visitorId(): string {
  let id = cookie(SERVER_KEY) || recall(VISITOR_KEY);
  if (!id || !VISITOR_ID_PATTERN.test(id)) {
    id = randomId();
    remember(VISITOR_KEY, id);
  }
  return id;
}

/** Forgets the visitor and its session (logout): the next visitorId() is a new visitor. */
export function forgetVisitor(): void {
  cookie(SERVER_KEY, null);
  remember(VISITOR_KEY, null);
  remember(SESSION_KEY, null);
}

/**
 * The session id for an event at `now`. Kept in localStorage with its last activity so every tab
 * of the site shares one session; 30 minutes without an event starts a new one.
 */
export function sessionAt(now: number): string {
  const [id, last] = (recall(SESSION_KEY) || '').split('.');
  const current = id && now - Number(last) < SESSION_IDLE_MS ? id : randomId();
  remember(SESSION_KEY, current + '.' + now);
  return current;
}
