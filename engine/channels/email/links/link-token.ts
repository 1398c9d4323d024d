import { createHmac, timingSafeEqual } from 'node:crypto';

export type LinkKind = 'unsubscribe' | 'open' | 'click';

/** What a link in an email vouches for; the engine acts only on claims it signed itself. */
export interface LinkClaim {
  kind: LinkKind;
  site: string;
  trigger: string;
  visitor: string;
  scenario: string;
  /** The recipient, on unsubscribe links. */
  email?: string;
  /** The destination, on click links. */
  url?: string;
}

interface WireClaim {
  k: 'u' | 'o' | 'c';
  s: string;
  t: string;
  v: string;
  c: string;
  e?: string;
  u?: string;
}

const KIND_CODES: Record<LinkKind, WireClaim['k']> = { unsubscribe: 'u', open: 'o', click: 'c' };
const KINDS: Record<WireClaim['k'], LinkKind> = { u: 'unsubscribe', o: 'open', c: 'click' };
/** 128 bits of HMAC-SHA256: unforgeable, and keeps the links short. */
const SIGNATURE_BYTES = 16;

/**
 * `<claim as base64url JSON>.<signature>`. The key is derived from the site secret for this use
 * only, so a link signature can never stand in for an identify signature or the reverse.
 */
export function signLinkToken(siteSecret: string, claim: LinkClaim): string {
  const wire: WireClaim = { k: KIND_CODES[claim.kind], s: claim.site, t: claim.trigger, v: claim.visitor, c: claim.scenario };
  if (claim.email !== undefined) wire.e = claim.email;
  if (claim.url !== undefined) wire.u = claim.url;
  const payload = Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
  return `${payload}.${signature(siteSecret, payload).toString('base64url')}`;
}

/** The claim of a token signed with its site's secret; undefined for anything else. */
export function readLinkToken(token: string, secretOf: (site: string) => string | undefined): LinkClaim | undefined {
  const [payload, given, extra] = token.split('.');
  if (payload === undefined || given === undefined || extra !== undefined) return undefined;
  const wire = parseWire(payload);
  if (wire === undefined) return undefined;
  const secret = secretOf(wire.s);
  if (secret === undefined) return undefined;
  const expected = signature(secret, payload);
  const actual = Buffer.from(given, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
  const claim: LinkClaim = { kind: KINDS[wire.k], site: wire.s, trigger: wire.t, visitor: wire.v, scenario: wire.c };
  if (wire.e !== undefined) claim.email = wire.e;
  if (wire.u !== undefined) claim.url = wire.u;
  return claim;
}

function signature(siteSecret: string, payload: string): Buffer {
  const key = createHmac('sha256', siteSecret).update('tripwire email links v1').digest();
  return createHmac('sha256', key).update(payload).digest().subarray(0, SIGNATURE_BYTES);
}

function parseWire(payload: string): WireClaim | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    // Not JSON: not a token of ours, which the caller reports as an invalid link.
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const wire = value as Partial<WireClaim>;
  const strings = [wire.s, wire.t, wire.v, wire.c].every((field) => typeof field === 'string');
  if (!strings || wire.k === undefined || !(wire.k in KINDS)) return undefined;
  if (wire.e !== undefined && typeof wire.e !== 'string') return undefined;
  if (wire.u !== undefined && typeof wire.u !== 'string') return undefined;
  return wire as WireClaim;
}
