/**
 * Idle visitors, frozen outside the V8 heap. A live visitor is some 75 heap objects (its maps,
 * windows, texts, boxed times), and a full GC marks every one of them: with 100k visitors held, one
 * mark-compact took over 150 ms, and every pop-in of that moment waited behind it. Most visitors a
 * store holds are idle (their windows and timers outlive their sessions by hours or days), so an
 * idle one is encoded into one buffer of its own, whose bytes the GC never visits, and decoded on
 * its next call.
 */
import { SlidingWindow } from './sliding-window.js';
import { StateReader, StateWriter } from './state-bytes.js';
import { interned } from './stored-text.js';
import type { HashState, LeasedTimer, TimerState, VisitorState } from './visitor-state.js';

const WINDOWS = 1;
const GATES = 2;
const SEEN = 4;
const PROFILE = 8;
const CART = 16;
const TIMERS = 32;
const LEASED = 64;

/** One writer for every freeze: a freeze runs to its end synchronously. */
const writer = new StateWriter();

function writeMember(member: string, at: number): void {
  writer.text(member);
  writer.number(at);
}

/**
 * Moves the visitor's parts into one buffer. The buffer opens with the earliest time at which a
 * part expires (Infinity when none does: timers wait for their due time), so the sweep knows when
 * to thaw it without decoding it.
 */
export function freezeVisitor(state: VisitorState, dedupeHorizon: number): void {
  const { windows, gates, seen, profile, cart, timers, leased } = state;
  writer.reset();
  writer.number(earliestExpiry(state, dedupeHorizon));
  writer.count(
    (windows === undefined ? 0 : WINDOWS) |
      (gates === undefined ? 0 : GATES) |
      (seen === undefined ? 0 : SEEN) |
      (profile === undefined ? 0 : PROFILE) |
      (cart === undefined ? 0 : CART) |
      (timers === undefined ? 0 : TIMERS) |
      (leased === undefined ? 0 : LEASED),
  );
  if (windows !== undefined) {
    writer.count(windows.size);
    for (const [key, window] of windows) {
      writer.text(key);
      writeWindow(window);
    }
  }
  if (gates !== undefined) {
    writer.count(gates.size);
    for (const [key, until] of gates) {
      writer.text(key);
      writer.number(until);
    }
  }
  if (seen !== undefined) writeWindow(seen);
  if (profile !== undefined) writeHash(profile);
  if (cart !== undefined) writeHash(cart);
  if (timers !== undefined) {
    writer.count(timers.size);
    for (const [name, timer] of timers) {
      writer.text(name);
      writer.number(timer.due);
      writer.text(timer.payload);
      writer.number(timer.version);
      writer.number(timer.indexedAt);
    }
  }
  if (leased !== undefined) {
    writer.count(leased.length);
    for (const lease of leased) {
      writer.text(lease.timer);
      writer.number(lease.due);
      writer.text(lease.payload);
      writer.number(lease.leaseUntil);
      writer.number(lease.version);
    }
  }
  state.frozen = writer.bytes();
  state.windows = undefined;
  state.gates = undefined;
  state.seen = undefined;
  state.profile = undefined;
  state.cart = undefined;
  state.timers = undefined;
  state.leased = undefined;
}

/** The earliest time at which a part of a frozen visitor expires, read without decoding it. */
export function frozenSweepAt(frozen: Buffer): number {
  return frozen.readDoubleLE(0);
}

/** Brings a frozen visitor's parts back, as they were frozen; keys shared with other visitors are shared again (stored-text.ts). */
export function thawVisitor(state: VisitorState): void {
  const reader = new StateReader(state.frozen!);
  reader.number();
  const parts = reader.count();
  if ((parts & WINDOWS) !== 0) {
    const windows = new Map<string, SlidingWindow>();
    for (let n = reader.count(); n > 0; n--) windows.set(interned(reader.text()), readWindow(reader));
    state.windows = windows;
  }
  if ((parts & GATES) !== 0) {
    const gates = new Map<string, number>();
    for (let n = reader.count(); n > 0; n--) gates.set(interned(reader.text()), reader.number());
    state.gates = gates;
  }
  if ((parts & SEEN) !== 0) state.seen = readWindow(reader);
  if ((parts & PROFILE) !== 0) state.profile = readHash(reader);
  if ((parts & CART) !== 0) state.cart = readHash(reader);
  if ((parts & TIMERS) !== 0) {
    const timers = new Map<string, TimerState>();
    for (let n = reader.count(); n > 0; n--) {
      const name = interned(reader.text());
      timers.set(name, { due: reader.number(), payload: reader.text(), version: reader.number(), indexedAt: reader.number() });
    }
    state.timers = timers;
  }
  if ((parts & LEASED) !== 0) {
    const leased: LeasedTimer[] = [];
    for (let n = reader.count(); n > 0; n--) {
      leased.push({ timer: reader.text(), due: reader.number(), payload: reader.text(), leaseUntil: reader.number(), version: reader.number() });
    }
    state.leased = leased;
  }
  state.frozen = undefined;
}

function writeWindow(window: SlidingWindow): void {
  writer.number(window.expiresAt);
  writer.count(window.size);
  window.forEach(writeMember);
}

function readWindow(reader: StateReader): SlidingWindow {
  const expiresAt = reader.number();
  const size = reader.count();
  const members: string[] = new Array(size);
  const times: number[] = new Array(size);
  for (let i = 0; i < size; i++) {
    members[i] = reader.text();
    times[i] = reader.number();
  }
  return SlidingWindow.of(expiresAt, members, times);
}

function writeHash(hash: HashState): void {
  writer.number(hash.expiresAt);
  writer.count(hash.fields.size);
  for (const [field, value] of hash.fields) {
    writer.text(field);
    writer.text(value);
  }
}

function readHash(reader: StateReader): HashState {
  const expiresAt = reader.number();
  const fields = new Map<string, string>();
  for (let n = reader.count(); n > 0; n--) fields.set(reader.text(), reader.text());
  return { fields, expiresAt, view: undefined };
}

/** What the sweep would drop first, and when: the sweep thaws a frozen visitor then. */
function earliestExpiry(state: VisitorState, dedupeHorizon: number): number {
  let earliest = Number.POSITIVE_INFINITY;
  if (state.windows !== undefined) for (const window of state.windows.values()) earliest = Math.min(earliest, window.expiresAt);
  if (state.gates !== undefined) for (const until of state.gates.values()) earliest = Math.min(earliest, until);
  if (state.seen !== undefined) state.seen.forEach((_, at) => (earliest = Math.min(earliest, at + dedupeHorizon)));
  if (state.profile !== undefined) earliest = Math.min(earliest, state.profile.expiresAt);
  if (state.cart !== undefined) earliest = Math.min(earliest, state.cart.expiresAt);
  return earliest;
}
