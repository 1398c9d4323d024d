/**
 * Keys, timer names and payloads reach the store as the scenarios built them, by concatenation
 * (`w:${scenario}:${group}`): V8 keeps such a string as a tree of its pieces, three or more
 * objects for one key. Kept as they come, every visitor's state would hold its trees for as long
 * as it lives. Both functions return the same text.
 */

/**
 * The text as an internalized string: one flat copy shared by every visitor holding the same key
 * (V8's string table, weak: it goes with the last holder). An object's key is internalized. It
 * costs a few hundred ns: for keys stored once (a new window, a new timer), not per event.
 */
export function interned(text: string): string {
  return Object.keys({ [text]: 0 })[0]!;
}

/**
 * The text flattened in place: reading a character makes V8 copy a concatenated string into one
 * flat string, and the GC then drops the tree of pieces. About as cheap as the copy, so it suits a
 * payload replaced by most events; should V8 stop doing it, only the memory saved is lost.
 */
export function flattened(text: string): string {
  text.charCodeAt(0);
  return text;
}
