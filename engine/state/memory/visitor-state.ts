/** What the in-process store keeps of one visitor, and the functions that read and sweep it. */
import type { VisitorRef } from '../../events/index.js';
import type { VisitorHash } from '../window-store.js';
import type { SlidingWindow } from './sliding-window.js';

export interface HashState {
  expiresAt: number;
  fields: Map<string, string>;
  /** The fields as a frozen object, made once per change: every frame reads the profile. */
  view: Readonly<Record<string, string>> | undefined;
}

export interface TimerState {
  due: number;
  payload: string;
  version: number;
  /** Due time of the heap entry standing for this version: a re-arm to a later time keeps that entry. */
  indexedAt: number;
}

/** A timer taken and not yet settled: due again at `leaseUntil` unless settled first. */
export interface LeasedTimer {
  timer: string;
  due: number;
  payload: string;
  leaseUntil: number;
  /** Matches the heap entry standing for this lease. */
  version: number;
}

/**
 * What the store keeps per visitor. Every part is made on its first write and dropped by the sweep
 * once empty: an empty Map still costs ~200 B, and this is the heap every visitor holds. A visitor
 * idle for a sweep interval is frozen: its parts move into `frozen`, outside the V8 heap, and come
 * back on its next call (see frozen-visitor.ts).
 */
export interface VisitorState {
  site: string;
  visitor: string;
  /** The parts below, encoded, while the visitor is frozen; every part is then undefined. */
  frozen: Buffer | undefined;
  /** The sweep pass of the visitor's last call: a small integer, so writing it allocates nothing. */
  touchedPass: number;
  /** Set when the visitor's last connection closed, to a small integer naming that departure; 0 once called again (visitor-sweep.ts). */
  departure: number;
  windows: Map<string, SlidingWindow> | undefined;
  gates: Map<string, number> | undefined;
  /** Event ids of the dedupe horizon by arrival time: a window, as the ids are few per visitor. */
  seen: SlidingWindow | undefined;
  profile: HashState | undefined;
  cart: HashState | undefined;
  timers: Map<string, TimerState> | undefined;
  /** Few at a time (timers being delivered), and one timer name may hold two leases of different dues. */
  leased: LeasedTimer[] | undefined;
}

export function emptyVisitorState(visitor: VisitorRef): VisitorState {
  return {
    site: visitor.site,
    visitor: visitor.visitor,
    frozen: undefined,
    touchedPass: 0,
    departure: 0,
    windows: undefined,
    gates: undefined,
    seen: undefined,
    profile: undefined,
    cart: undefined,
    timers: undefined,
    leased: undefined,
  };
}

/** Drops the visitor's expired state and every part left empty; returns true when nothing is left. */
export function sweepVisitor(state: VisitorState, now: number, dedupeFloor: number): boolean {
  const { windows, gates, seen, timers, leased } = state;
  if (windows !== undefined) {
    for (const [name, window] of windows) if (window.expiresAt <= now) windows.delete(name);
    if (windows.size === 0) state.windows = undefined;
  }
  if (gates !== undefined) {
    for (const [name, until] of gates) if (until <= now) gates.delete(name);
    if (gates.size === 0) state.gates = undefined;
  }
  if (seen !== undefined) {
    seen.trim(dedupeFloor);
    if (seen.size === 0) state.seen = undefined;
  }
  if (timers !== undefined && timers.size === 0) state.timers = undefined;
  if (leased !== undefined && leased.length === 0) state.leased = undefined;
  if (state.profile !== undefined && (state.profile.expiresAt <= now || state.profile.fields.size === 0)) state.profile = undefined;
  if (state.cart !== undefined && (state.cart.expiresAt <= now || state.cart.fields.size === 0)) state.cart = undefined;
  return isEmpty(state);
}

/** True when the visitor holds nothing, frozen or live: the sweep forgets it. */
export function isEmpty(state: VisitorState): boolean {
  return (
    state.frozen === undefined &&
    state.windows === undefined &&
    state.gates === undefined &&
    state.seen === undefined &&
    state.timers === undefined &&
    state.leased === undefined &&
    state.profile === undefined &&
    state.cart === undefined
  );
}

/** The hash about to be read for a change: emptied (and its cached view dropped) if it expired. */
export function live(hash: HashState | undefined, now: number): HashState | undefined {
  if (hash !== undefined && hash.expiresAt <= now && (hash.fields.size > 0 || hash.view !== undefined)) {
    hash.fields.clear();
    hash.view = undefined;
  }
  return hash;
}

/** The hash about to be written: made on the visitor's first write to it. */
export function writableHash(state: VisitorState, name: VisitorHash, now: number): HashState {
  const hash = live(state[name], now);
  if (hash !== undefined) return hash;
  const made: HashState = { fields: new Map(), expiresAt: 0, view: undefined };
  state[name] = made;
  return made;
}

export function readHash(hash: HashState | undefined, now: number): Record<string, string> {
  if (hash === undefined || hash.expiresAt <= now) return {};
  hash.view ??= Object.freeze(Object.fromEntries(hash.fields));
  return hash.view;
}

/** A store's visitors: site → visitor → state (two lookups instead of a key string made per call). */
export type VisitorsBySite = Map<string, Map<string, VisitorState>>;

export function countVisitors(visitors: VisitorsBySite): number {
  let count = 0;
  for (const site of visitors.values()) count += site.size;
  return count;
}
