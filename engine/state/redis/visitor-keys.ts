import { createHash } from 'node:crypto';
import type { VisitorRef } from '../../events/index.js';
import { TripwireError } from '../../errors.js';
import { WindowIds } from './window-entries.js';

/**
 * The names of one visitor's keys; all share the hash tag `{site:visitor}`, hence one slot.
 * Names are one letter (each key name is stored once per visitor and key).
 */
export class VisitorKeys {
  readonly seen: string;
  /** Profile and cart, one hash (visitor-hash.ts). */
  readonly hash: string;
  /** Timers with their due times and payloads. */
  readonly timers: string;
  /** Timers taken and not yet settled, with their lease ends (take-timers.lua). */
  readonly leased: string;
  /** Every gate of the visitor, one field each. */
  readonly gates: string;
  /** Every window and cap of the visitor, one sorted set (window-entries.ts). */
  readonly windows: string;
  private readonly base: string;

  constructor(
    prefix: string,
    visitor: VisitorRef,
    private readonly names: KeyNames,
  ) {
    this.base = `${prefix}:{${dueMember(visitor)}}:`;
    this.seen = `${this.base}e`;
    this.hash = `${this.base}p`;
    this.timers = `${this.base}t`;
    this.leased = `${this.base}l`;
    this.gates = `${this.base}g`;
    this.windows = `${this.base}w`;
  }

  /** A window's or cap's id: the prefix of its entries in {@link windows}. */
  window(key: string): string {
    return this.names.window(key);
  }

  /** A gate's field in {@link gates}. */
  gate(key: string): string {
    return this.names.short(key);
  }
}

/**
 * The empty name is kept-keys.lua's placeholder in the visitor's hashes and sets; the core never
 * plans one (its names carry a kind, `journey:…`, `cool:…`), so one is a defect of the caller.
 */
export function named(name: string, what: string): string {
  if (name === '') throw new TripwireError('TW_INTERNAL', `${what} is empty; the Redis store keeps the empty name for itself.`);
  return name;
}

const TAG_LENGTH = 8;
const MAX_CACHED_NAMES = 50_000;

/**
 * Short names of the core's relative keys. Gates (`cool:<scenario id>`…): the segment after
 * the first colon, when longer than a tag, becomes an 8-character hash of it (48 bits: two ids
 * of one deployment colliding is a one-in-10^10 event for 100 scenarios). A literal segment is
 * shorter than a tag, so literals and tags never meet. Windows and caps: a fixed-length id of the
 * whole key (window-entries.ts). Memoized: relative keys repeat on every frame.
 */
export class KeyNames {
  private readonly cache = new Map<string, string>();
  private readonly windowIds = new WindowIds();

  window(key: string): string {
    return this.windowIds.of(key);
  }

  short(key: string): string {
    let name = this.cache.get(key);
    if (name === undefined) {
      if (this.cache.size >= MAX_CACHED_NAMES) this.cache.clear();
      name = shortened(key);
      this.cache.set(key, name);
    }
    return name;
  }
}

function shortened(key: string): string {
  const first = key.indexOf(':');
  if (first < 0) return key;
  const second = key.indexOf(':', first + 1);
  const end = second < 0 ? key.length : second;
  if (end - first - 1 < TAG_LENGTH) return key;
  return `${key.slice(0, first + 1)}${tag(key.slice(first + 1, end))}${key.slice(end)}`;
}

function tag(text: string): string {
  return createHash('sha1').update(text).digest('base64url').slice(0, TAG_LENGTH);
}

/** The keys shared by every visitor: one slot of their own (`{due}`), apart from visitors'. */
export class DueIndexKeys {
  readonly due: string;
  readonly leases: string;

  constructor(prefix: string) {
    this.due = `${prefix}:{due}`;
    this.leases = `${prefix}:{due}:leases`;
  }
}

/**
 * `site:visitor` with `%`, `:`, `{` and `}` escaped in each part, so the pair reads back
 * unambiguously and cannot end the key's hash tag early. Valid visitor ids need no escaping.
 */
export function dueMember(visitor: VisitorRef): string {
  return `${escapePart(visitor.site)}:${escapePart(visitor.visitor)}`;
}

export function visitorOfDueMember(member: string): VisitorRef {
  const colon = member.indexOf(':');
  return {
    site: decodeURIComponent(member.slice(0, colon)),
    visitor: decodeURIComponent(member.slice(colon + 1)),
  };
}

/** The hash tag of keys shared by one site's visitors (catalogue interest): `{site}`, escaped as above. */
export function siteTag(site: string): string {
  return `{${escapePart(site)}}`;
}

export function checkedPrefix(prefix: string): string {
  if (prefix === '' || /[{}]/.test(prefix)) {
    throw new TripwireError(
      'TW_CONFIG_INVALID',
      `The Redis key prefix "${prefix}" must be non-empty and free of "{" and "}" (they delimit the visitor's hash tag).`,
    );
  }
  return prefix;
}

function escapePart(part: string): string {
  return part.replace(/[%:{}]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
