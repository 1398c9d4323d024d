import { systemClock, type Clock, type VisitorRef } from '../../events/index.js';
import {
  CLAIM_GRANTED,
  DEFAULT_RETENTION,
  type ClaimOutcome,
  type ApplyRequest,
  type ApplyResult,
  type CapCheck,
  type ClaimCheck,
  type ClaimRequest,
  type DueTimer,
  type EventOutcome,
  type RetentionPolicy,
  type StateOp,
  type VisitorHash,
  type VisitorSnapshot,
  type WindowStore,
} from '../window-store.js';
import { SlidingWindow } from './sliding-window.js';
import { TimerHeap } from './timer-heap.js';

interface HashState {
  expiresAt: number;
  fields: Map<string, string>;
  /** The fields as a frozen object, made once per change: every frame reads the profile. */
  view: Readonly<Record<string, string>> | undefined;
}

interface TimerState {
  due: number;
  payload: string;
  version: number;
  /** Due time of the heap entry standing for this version: a re-arm to a later time keeps that entry. */
  indexedAt: number;
}

interface VisitorState {
  ref: VisitorRef;
  windows: Map<string, SlidingWindow>;
  gates: Map<string, number>;
  seen: Map<string, number>;
  hashes: Record<VisitorHash, HashState>;
  timers: Map<string, TimerState>;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The in-process WindowStore: the same semantics as the Redis store (it passes the same
 * contract suite), for a single engine process. Everything of one call happens synchronously,
 * so a call is atomic with respect to every other.
 */
export class MemoryWindowStore implements WindowStore {
  /** site → visitor → state: two lookups instead of a key string made per call. */
  private readonly visitors = new Map<string, Map<string, VisitorState>>();
  private readonly heap = new TimerHeap<VisitorState>();
  private nextVersion = 1;
  private lastSweep = 0;

  constructor(
    private readonly retention: RetentionPolicy = DEFAULT_RETENTION,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Number of visitors with live state: the benchmark reports memory per visitor with it. */
  get visitorCount(): number {
    let count = 0;
    for (const site of this.visitors.values()) count += site.size;
    return count;
  }

  async apply(request: ApplyRequest): Promise<ApplyResult> {
    const { now } = request;
    this.sweepIfDue(now);
    const state = this.visitorState(request.visitor);
    const dedupeFloor = now - this.retention.dedupeHorizon;
    const events = request.events;
    const outcomes: EventOutcome[] = new Array(events.length);
    for (let e = 0; e < events.length; e++) {
      const event = events[e]!;
      const ops = event.ops;
      const results: number[] = new Array(ops.length).fill(0);
      const seenAt = state.seen.get(event.eventId);
      if (seenAt !== undefined && seenAt > dedupeFloor) {
        outcomes[e] = { duplicate: true, results };
        continue;
      }
      state.seen.set(event.eventId, now);
      for (let i = 0; i < ops.length; i++) results[i] = this.run(state, ops[i]!, now);
      outcomes[e] = { duplicate: false, results };
    }
    return { events: outcomes, profile: readHash(state.hashes.profile, now) };
  }

  async claim(request: ClaimRequest): Promise<ClaimOutcome[]> {
    const state = this.visitorState(request.visitor);
    const now = request.now;
    return request.claims.map((claim) => {
      const failed = claim.checks.findIndex((check) => !this.passes(state, check, now));
      if (failed !== CLAIM_GRANTED) return failed;
      for (const check of claim.checks) this.record(state, check, now);
      return CLAIM_GRANTED;
    });
  }

  async takeDueTimers(now: number, limit: number): Promise<DueTimer[]> {
    const taken: DueTimer[] = [];
    while (taken.length < limit) {
      const top = this.heap.peek();
      if (top === undefined || top.due > now) break;
      this.heap.pop();
      const state = top.owner;
      const live = state.timers.get(top.timer);
      if (live === undefined || live.version !== top.version) continue;
      if (live.due > top.due) {
        // Re-armed later since this entry was pushed: it goes back in at its real due time.
        top.due = live.due;
        live.indexedAt = live.due;
        this.heap.push(top);
        continue;
      }
      state.timers.delete(top.timer);
      taken.push({ visitor: state.ref, timer: top.timer, due: live.due, payload: live.payload });
    }
    return taken;
  }

  async snapshot(visitor: VisitorRef): Promise<VisitorSnapshot> {
    const state = this.visitors.get(visitor.site)?.get(visitor.visitor);
    if (state === undefined) return { profile: {}, cart: {} };
    const now = this.clock.now();
    return { profile: readHash(state.hashes.profile, now), cart: readHash(state.hashes.cart, now) };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.visitors.clear();
    this.heap.clear();
  }

  private run(state: VisitorState, op: StateOp, now: number): number {
    switch (op.kind) {
      case 'window.add': {
        const window = this.window(state, op.key, now);
        const floor = op.at - op.span;
        window.add(op.member, op.at);
        window.trim(floor);
        window.expiresAt = Math.max(window.expiresAt, op.at + op.span, now + op.span);
        return window.count(floor, op.at);
      }
      case 'window.count': {
        const window = state.windows.get(op.key);
        if (window === undefined || window.expiresAt <= now) return 0;
        return window.count(op.at - op.span, op.at);
      }
      case 'timer.arm':
        this.arm(state, op.timer, op.due, op.payload);
        return 0;
      case 'timer.cancel':
        state.timers.delete(op.timer);
        return 0;
      case 'timer.cancelPrefix': {
        const group = `${op.prefix}:`;
        for (const timer of state.timers.keys()) {
          if (timer === op.prefix || timer.startsWith(group)) state.timers.delete(timer);
        }
        return 0;
      }
      case 'hash.set': {
        const hash = live(state.hashes[op.hash], now);
        if (hash.fields.get(op.field) !== op.value) {
          hash.fields.set(op.field, op.value);
          hash.view = undefined;
        }
        hash.expiresAt = now + this.retention.profileTtl;
        return 0;
      }
      case 'hash.delete': {
        const hash = live(state.hashes[op.hash], now);
        if (hash.fields.delete(op.field)) hash.view = undefined;
        return 0;
      }
      case 'hash.clear': {
        const hash = live(state.hashes[op.hash], now);
        if (hash.fields.size > 0) {
          hash.fields.clear();
          hash.view = undefined;
        }
        return 0;
      }
      case 'hash.setIfAbsent': {
        const hash = live(state.hashes[op.hash], now);
        hash.expiresAt = now + this.retention.profileTtl;
        if (hash.fields.has(op.field)) return 0;
        hash.fields.set(op.field, op.value);
        hash.view = undefined;
        return 1;
      }
      case 'hash.increment': {
        const hash = live(state.hashes[op.hash], now);
        const value = Number.parseInt(hash.fields.get(op.field) ?? '0', 10) + Math.trunc(op.by);
        hash.view = undefined;
        if (value <= 0) {
          hash.fields.delete(op.field);
          return 0;
        }
        hash.fields.set(op.field, String(value));
        hash.expiresAt = now + this.retention.profileTtl;
        return value;
      }
    }
  }

  /**
   * Absence timers are re-armed, later each time, by most events of a visitor: the live timer
   * moves and its heap entry stays, to be pushed again at the real due time when it surfaces.
   * Only a timer armed earlier than its entry needs a new one.
   */
  private arm(state: VisitorState, timer: string, due: number, payload: string): void {
    const current = state.timers.get(timer);
    if (current !== undefined && current.indexedAt <= due) {
      current.due = due;
      current.payload = payload;
      return;
    }
    const version = this.nextVersion++;
    if (current === undefined) state.timers.set(timer, { due, payload, version, indexedAt: due });
    else {
      current.due = due;
      current.payload = payload;
      current.version = version;
      current.indexedAt = due;
    }
    this.heap.push({ due, owner: state, timer, version });
  }

  private passes(state: VisitorState, check: ClaimCheck, now: number): boolean {
    if (check.kind === 'gate') return (state.gates.get(check.key) ?? 0) <= now;
    return this.capCount(state, check, now) < check.limit;
  }

  private record(state: VisitorState, check: ClaimCheck, now: number): void {
    if (check.kind === 'gate') {
      state.gates.set(check.key, now + check.ttl);
      return;
    }
    const window = this.window(state, check.key, now);
    window.add(check.member, check.at);
    window.trim(check.at - check.span);
    window.expiresAt = Math.max(window.expiresAt, now + check.span);
  }

  private capCount(state: VisitorState, check: CapCheck, now: number): number {
    const window = state.windows.get(check.key);
    if (window === undefined || window.expiresAt <= now) return 0;
    return window.count(check.at - check.span, check.at);
  }

  private window(state: VisitorState, key: string, now: number): SlidingWindow {
    let window = state.windows.get(key);
    if (window === undefined || window.expiresAt <= now) {
      window = new SlidingWindow(now);
      state.windows.set(key, window);
    }
    return window;
  }

  private visitorState(visitor: VisitorRef): VisitorState {
    let site = this.visitors.get(visitor.site);
    if (site === undefined) {
      site = new Map();
      this.visitors.set(visitor.site, site);
    }
    let state = site.get(visitor.visitor);
    if (state === undefined) {
      state = {
        ref: { site: visitor.site, visitor: visitor.visitor },
        windows: new Map(),
        gates: new Map(),
        seen: new Map(),
        hashes: { profile: emptyHash(), cart: emptyHash() },
        timers: new Map(),
      };
      site.set(visitor.visitor, state);
    }
    return state;
  }

  /** Drops expired state so memory stays bounded by the longest window, as Redis TTLs do. */
  private sweepIfDue(now: number): void {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    const dedupeFloor = now - this.retention.dedupeHorizon;
    for (const [siteKey, site] of this.visitors) {
      for (const [key, state] of site) {
        for (const [name, window] of state.windows) if (window.expiresAt <= now) state.windows.delete(name);
        for (const [name, until] of state.gates) if (until <= now) state.gates.delete(name);
        for (const [id, at] of state.seen) if (at <= dedupeFloor) state.seen.delete(id);
        live(state.hashes.profile, now);
        live(state.hashes.cart, now);
        const empty =
          state.windows.size === 0 &&
          state.gates.size === 0 &&
          state.seen.size === 0 &&
          state.timers.size === 0 &&
          state.hashes.profile.fields.size === 0 &&
          state.hashes.cart.fields.size === 0;
        if (empty) site.delete(key);
      }
      if (site.size === 0) this.visitors.delete(siteKey);
    }
  }
}

function emptyHash(): HashState {
  return { fields: new Map(), expiresAt: 0, view: undefined };
}

/** The hash about to be read for a change: emptied (and its cached view dropped) if it expired. */
function live(hash: HashState, now: number): HashState {
  if (hash.expiresAt <= now && (hash.fields.size > 0 || hash.view !== undefined)) {
    hash.fields.clear();
    hash.view = undefined;
  }
  return hash;
}

function readHash(hash: HashState, now: number): Record<string, string> {
  if (hash.expiresAt <= now) return {};
  hash.view ??= Object.freeze(Object.fromEntries(hash.fields));
  return hash.view;
}
