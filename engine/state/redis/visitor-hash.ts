import type { VisitorHash, VisitorSnapshot } from '../window-store.js';
import { replyArray, replyString } from './replies.js';

/**
 * A visitor's profile and cart live in ONE Redis hash (a second key cost ~150 B per visitor:
 * its name, dict and expiry entries, a listpack header). Cart fields are stored behind
 * {@link CART_MARK}; a profile field is stored as it is, unless it starts with either control
 * character, then it gets {@link ESCAPE} in front, as does the empty name, which is the
 * placeholder of kept-keys.lua. So none of them meet, whatever a trait is named, and apply.lua
 * tells a cart field by its first byte alone. The core's profile fields
 * (`email`, `trait.*`, `consent.*`…) never start with a control character: no cost in practice.
 */
const CART_MARK = '\x01';
const ESCAPE = '\x02';
const CART_CODE = 1;
const ESCAPE_CODE = 2;
/** kept-keys.lua's placeholder, in the hash only while a cluster script runs (or after its release failed). */
const PLACEHOLDER = '';

/** The field's name in the visitor's hash. */
export function storedField(hash: VisitorHash, field: string): string {
  if (hash === 'cart') return CART_MARK + field;
  const first = field.charCodeAt(0);
  return field === '' || first === CART_CODE || first === ESCAPE_CODE ? ESCAPE + field : field;
}

/** apply.lua's profile reply (the hash without its cart fields, as a flat array) as a record. */
export function profileOfReply(reply: unknown, what: string): Record<string, string> {
  const flat = replyArray(reply, what);
  const profile: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const field = replyString(flat[i], what);
    profile[field.charCodeAt(0) === ESCAPE_CODE ? field.slice(1) : field] = replyString(flat[i + 1], what);
  }
  return profile;
}

/** apply.lua's cart reply (the hash's cart fields, still marked, as a flat array) as a record. */
export function cartOfReply(reply: unknown, what: string): Record<string, string> {
  const flat = replyArray(reply, what);
  const cart: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) cart[replyString(flat[i], what).slice(1)] = replyString(flat[i + 1], what);
  return cart;
}

/** The whole hash (HGETALL) split back into the profile and the cart the core sees. */
export function snapshotOfHash(fields: Record<string, string>): VisitorSnapshot {
  const snapshot: VisitorSnapshot = { profile: {}, cart: {} };
  for (const [field, value] of Object.entries(fields)) {
    if (field === PLACEHOLDER) continue;
    const first = field.charCodeAt(0);
    if (first === CART_CODE) snapshot.cart[field.slice(1)] = value;
    else snapshot.profile[first === ESCAPE_CODE ? field.slice(1) : field] = value;
  }
  return snapshot;
}
