/**
 * Keys, timer names and payloads reach the store as the scenarios built them, by concatenation
 * (`w:${scenario}:${group}`): V8 keeps such a string as a tree of its pieces, three or more
 * objects for one key. Kept as they come, every visitor's state would hold its trees for as long
 * as it lives. Both functions return the same text.
 */

/**
 * Where texts are internalized: a null-prototype object, which V8 keeps as a hash table, so a key
 * costs one insert and one delete. (An object literal with the key, `{ [text]: 0 }`, made V8 add
 * a shape transition per distinct key to one ever-growing transition array: 2-3× slower.)
 */
const internTable: Record<string, number> = Object.create(null) as Record<string, number>;

/**
 * The text as an internalized string: one flat copy shared by every visitor holding the same key
 * (V8's string table, weak: it goes with the last holder). Storing a property under the text
 * internalizes it, and V8 turns the text passed in into a forward to that copy, which the GC
 * then follows for every holder. For keys stored once (a new window, a new timer), not per event.
 */
export function interned(text: string): string {
  internTable[text] = 0;
  delete internTable[text];
  return text;
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
