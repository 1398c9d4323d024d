/**
 * The id an event is remembered by in the visitor's `seen` set for the dedupe horizon (a day by
 * default, for every event): the tracker's ids are ~22 characters, so longer ids are kept as an
 * 11-character, 62-bit hash. Only one visitor's ids can collide, and a collision among even ten
 * thousand ids of one visitor is a one-in-10^11 event. Shorter ids are kept as they are; they
 * cannot equal a hash of a longer one except by the same odds.
 */
export function seenId(eventId: string): string {
  if (eventId.length <= SEEN_ID_LENGTH) return eventId;
  // cyrb53's two 32-bit lanes, both kept: cheap (no crypto call per event) and well mixed.
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < eventId.length; i++) {
    const ch = eventId.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return base64Digits(h1 >>> 0, 5) + base64Digits(h2 >>> 0, 6);
}

const SEEN_ID_LENGTH = 11;
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `count` base64url digits of a 32-bit number, low bits first (5 digits hold 30 bits, 6 hold all 32). */
function base64Digits(value: number, count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) {
    text += DIGITS[value & 63];
    value >>>= 6;
  }
  return text;
}
