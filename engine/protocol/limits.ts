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

/** Bounds on what a client may send; the gateway rejects anything beyond them with an error frame. */
export const WIRE_LIMITS = {
  idMaxLength: 64,
  stringMaxLength: 2048,
  maxProps: 32,
  maxItems: 100,
} as const;

export const VISITOR_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
