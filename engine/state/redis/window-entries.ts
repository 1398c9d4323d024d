import { createHash } from 'node:crypto';
import { TripwireError } from '../../errors.js';
import { seenId } from './seen-id.js';

/**
 * Every window and cap of a visitor lives in ONE sorted set, all scores 0, ordered by the entry
 * text: `<window id><time><member>`. The window id and the time have fixed widths, so no
 * separator is needed and no member can break the parse; lexicographic order is window, then
 * time, so one window's members within a time range are one ZLEXCOUNT range.
 */

/** Characters of a window id: 48 bits of a hash of the core's relative key. */
export const WINDOW_ID_LENGTH = 8;
/**
 * Times are 7 digits of base 64 in an alphabet in ASCII order (so text order is time order):
 * 0 to 2^42 - 1 ms, the year 2109. Decimal would need 13 to 15 characters for the same range,
 * paid on every entry of every visitor.
 */
export const TIME_WIDTH = 7;
const TIME_DIGITS = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
const TIME_LIMIT = 64 ** TIME_WIDTH;
/**
 * Members longer than this are kept as an 11-character hash (seen-id.ts): entries stay under
 * Redis's zset-max-listpack-value (64 bytes) with tracker ids (~23 characters) and cap members
 * (`<scenario id>:<event id>`), so the set stays a compact listpack. Only members of one window
 * of one visitor could collide, at 62 bits.
 */
const MEMBER_LENGTH = 11;
const MAX_CACHED_IDS = 50_000;

/**
 * Window ids of the core's relative keys (`w:<scenario>:<group>`, `cap:<channel>`…), memoized:
 * relative keys repeat on every frame.
 */
export class WindowIds {
  private readonly cache = new Map<string, string>();

  of(key: string): string {
    let id = this.cache.get(key);
    if (id === undefined) {
      if (this.cache.size >= MAX_CACHED_IDS) this.cache.clear();
      // 48 bits: two of one visitor's windows colliding is a one-in-10^11 event for 100 windows.
      id = createHash('sha1').update(key).digest('base64url').slice(0, WINDOW_ID_LENGTH);
      this.cache.set(key, id);
    }
    return id;
  }
}

/** The fields of an entry and of the ranges an add or a count needs, as window-add in the scripts reads them. */
export interface WindowRange {
  /** Entries at or after this time count (the window's floor, exclusive, plus one ms); earlier ones are trimmed. */
  from: string;
  /** Entries before this time count: `at + 1`. */
  until: string;
}

/** `(at - span, at]` as the half-open text range `[from, until)` of entry times. */
export function windowRange(at: number, span: number): WindowRange {
  checkTime(at);
  // Entry times are whole ms: after `at - span` means at or after floor(at - span) + 1.
  const from = Math.min(Math.max(0, Math.floor(at - span) + 1), TIME_LIMIT - 1);
  return { from: entryTime(from), until: entryTime(at + 1) };
}

export function entryTime(time: number): string {
  let text = '';
  for (let i = 0; i < TIME_WIDTH; i++) {
    text = TIME_DIGITS[time % 64]! + text;
    time = Math.floor(time / 64);
  }
  return text;
}

export function entryMember(member: string): string {
  return member.length <= MEMBER_LENGTH ? member : seenId(member);
}

/** Times are the caller's epoch ms (event times are whole ms); the text form holds 0 to 2^42 - 2. */
function checkTime(at: number): void {
  if (!Number.isSafeInteger(at) || at < 0 || at >= TIME_LIMIT - 1) {
    throw new TripwireError(
      'TW_BAD_EVENT',
      `A window time must be a whole number of ms from 1970 to 2109 for the Redis store; got ${at}.`,
    );
  }
}
