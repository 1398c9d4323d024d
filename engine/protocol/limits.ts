/**
 * The paths the tracker calls, also one constant each: the bundler inlines a constant into tw.js,
 * where the PATHS object would cost its every path (tw.js lives under a byte budget).
 */
export const SOCKET_PATH = '/live';
export const BEACON_PATH = '/e';
/** Sets the first-party visitor cookie when the engine is served under the site's own origin. */
export const VISITOR_COOKIE_PATH = '/id';

/** Paths the gateway serves. Neutral names: ad blockers match "track", "collect", "analytics". */
export const PATHS = {
  socket: SOCKET_PATH,
  beacon: BEACON_PATH,
  script: '/tw.js',
  health: '/healthz',
  visitorCookie: VISITOR_COOKIE_PATH,
} as const;

/**
 * The most entries a list in an event's props may hold. It bounds the work one event makes: the
 * gateway checks every entry, and each line of a purchase becomes two updates of the interest
 * index (catalogue/interest-updates.ts), written with the store round trip of its frame. A
 * constant of its own, as the paths above, so the tracker's GA4 mapping inlines it.
 */
export const MAX_ITEMS = 100;

/** Bounds on what a client may send; the gateway rejects anything beyond them with an error frame. */
export const WIRE_LIMITS = {
  idMaxLength: 64,
  stringMaxLength: 2048,
  maxProps: 32,
  maxItems: MAX_ITEMS,
} as const;

export const VISITOR_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
