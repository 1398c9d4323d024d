// Where the scripts send load, from the environment, so an engineer points them at staging unchanged:
//   TARGET    base URL of the engine (default http://127.0.0.1:8080); ws:// or wss:// is derived
//   SITE      site key (default demo)
//   LIVE_PATH socket path (default /live; the bench harness uses /echo on the bare uWS server)
//   RUN_ID    prefix of visitor ids, so two runs never share visitors (default: the start time)

export const TARGET = (__ENV.TARGET || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const SITE = __ENV.SITE || 'demo';
export const LIVE_PATH = __ENV.LIVE_PATH || '/live';
export const RUN_ID = __ENV.RUN_ID || Date.now().toString(36);

export function socketUrl(visitor) {
  const base = TARGET.replace(/^http/, 'ws');
  return `${base}${LIVE_PATH}?s=${encodeURIComponent(SITE)}&v=${encodeURIComponent(visitor)}`;
}

/** A visitor id unique to this run, VU and iteration. */
export function freshVisitor(prefix, vu, iteration) {
  return `${prefix}-${RUN_ID}-${vu}-${iteration}`;
}

export function numberEnv(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
  return value;
}

export function stringEnv(name, fallback) {
  const raw = __ENV[name];
  return raw === undefined || raw === '' ? fallback : raw;
}
