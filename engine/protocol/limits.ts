/** Paths the gateway serves. Neutral names: ad blockers match "track", "collect", "analytics". */
export const PATHS = {
  socket: '/live',
  beacon: '/e',
  script: '/tw.js',
  health: '/healthz',
  /** Sets the first-party visitor cookie when the engine is served under the site's own origin. */
  visitorCookie: '/id',
} as const;

/** Bounds on what a client may send; the gateway rejects anything beyond them with an error frame. */
export const WIRE_LIMITS = {
  idMaxLength: 64,
  stringMaxLength: 2048,
  maxProps: 32,
  maxItems: 100,
} as const;

export const VISITOR_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
