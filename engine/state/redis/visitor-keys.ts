import type { VisitorRef } from '../../events/index.js';
import { TripwireError } from '../../errors.js';

/** The names of one visitor's keys; all share the hash tag `{site:visitor}`, hence one slot. */
export class VisitorKeys {
  readonly seen: string;
  readonly profile: string;
  readonly cart: string;
  readonly timers: string;
  readonly timerPayloads: string;
  private readonly base: string;

  constructor(prefix: string, visitor: VisitorRef) {
    this.base = `${prefix}:{${dueMember(visitor)}}:`;
    this.seen = `${this.base}seen`;
    this.profile = `${this.base}profile`;
    this.cart = `${this.base}cart`;
    this.timers = `${this.base}timers`;
    this.timerPayloads = `${this.base}tpay`;
  }

  window(key: string): string {
    return `${this.base}w:${key}`;
  }

  gate(key: string): string {
    return `${this.base}g:${key}`;
  }
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
