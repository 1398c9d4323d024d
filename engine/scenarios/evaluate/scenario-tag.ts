/**
 * A scenario's short, stable name in store keys and timer ids: 41 bits of a hash of its id, in
 * base 36 (at most 8 characters). Every window, gate and timer of every visitor repeats it, so
 * it costs Redis memory per visitor where the id (often 20+ characters) would cost more.
 * Stable across restarts and reloads (state survives them); two ids of one library share a tag
 * with odds of about n² / 2⁴² for n scenarios.
 */
export function scenarioTag(id: string): string {
  return (hash53(id) % TAG_RANGE).toString(36);
}

const TAG_RANGE = 2 ** 41;

/** cyrb53 (public domain, bryc): two 32-bit multiplicative lanes mixed into 53 bits. */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ char, 2654435761);
    h2 = Math.imul(h2 ^ char, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
