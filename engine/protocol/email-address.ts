/**
 * One plain address, `local@domain`: no display name, no angle brackets, no comment, no list.
 * Mail libraries read "a@x, b@y" or "Ada <a@x>" as recipients of their own, so anything looser
 * than this would let one identify name several people, or someone other than the address the
 * suppression list and the HMAC were checked against. Non-ASCII letters are allowed (RFC 6531).
 */
const PLAIN_ADDRESS = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*$/u;

/** RFC 5321's bound on a forward path. */
const MAX_ADDRESS_LENGTH = 254;

/** Whether `text` is exactly one plain address; surrounding blanks are not allowed, trim first. */
export function isPlainEmailAddress(text: string): boolean {
  return text.length <= MAX_ADDRESS_LENGTH && PLAIN_ADDRESS.test(text);
}
