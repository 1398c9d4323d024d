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
import { TimerHeap } from './timer-heap.js';

interface Expiring {
  expiresAt: number;
}

interface SortedWindow extends Expiring {
  /** member → score (time). Re-adding a member moves it, as ZADD does. */
  members: Map<string, number>;
}

interface HashState extends Expiring {
  fields: Map<string, string>;
  /** The fields as a frozen object, made once per change: every frame reads the profile. */
  view: Readonly<Record<string, string>> | undefined;
}

interface TimerState {
  due: number;
  payload: string;
  version: number;
}

interface VisitorState {
  ref: VisitorRef;
  windows: Map<string, SortedWindow>;
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
  private readonly visitors = new Map<string, VisitorState>();
  private readonly heap = new TimerHeap();
  private nextVersion = 1;
  private lastSweep = 0;

  constructor(
    private readonly retention: RetentionPolicy = DEFAULT_RETENTION,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Number of visitors with live state: the benchmark reports memory per visitor with it. */
  get visitorCount(): number {
    return this.visitors.size;
  }

  async apply(request: ApplyRequest): Promise<ApplyResult> {
    const { now } = request;
    this.sweepIfDue(now);
    const state = this.visitorState(request.visitor);
    const outcomes: EventOutcome[] = [];
    for (const event of request.events) {
      const seenAt = state.seen.get(event.eventId);
      if (seenAt !== undefined && seenAt > now - this.retention.dedupeHorizon) {
        outcomes.push({ duplicate: true, results: event.ops.map(() => 0) });
        continue;
      }
      state.seen.set(event.eventId, now);
      const results: number[] = [];
      for (const op of event.ops) results.push(this.run(state, op, now));
      outcomes.push({ duplicate: false, results });
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
      const state = this.visitors.get(top.owner);
      const live = state?.timers.get(top.timer);
      if (state === undefined || live === undefined || live.version !== top.version) continue;
      state.timers.delete(top.timer);
      taken.push({ visitor: state.ref, timer: top.timer, due: live.due, payload: live.payload });
    }
    return taken;
  }

  async snapshot(visitor: VisitorRef): Promise<VisitorSnapshot> {
    const state = this.visitors.get(ownerKey(visitor));
    if (state === undefined) return { profile: {}, cart: {} };
    const now = this.clock.now();
    return { profile: readHash(state.hashes.profile, now), cart: readHash(state.hashes.cart, now) };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.visitors.clear();
  }

  private run(state: VisitorState, op: StateOp, now: number): number {
    switch (op.kind) {
      case 'window.add': {
        const window = this.window(state, op.key, now);
        window.members.set(op.member, op.at);
        trim(window.members, op.at - op.span);
        window.expiresAt = Math.max(window.expiresAt, op.at + op.span, now + op.span);
        return countWithin(window.members, op.at - op.span, op.at);
      }
      case 'window.count': {
        const window = state.windows.get(op.key);
        if (window === undefined || window.expiresAt <= now) return 0;
        return countWithin(window.members, op.at - op.span, op.at);
      }
      case 'timer.arm': {
        const version = this.nextVersion++;
        state.timers.set(op.timer, { due: op.due, payload: op.payload, version });
        this.heap.push({ due: op.due, owner: ownerKey(state.ref), timer: op.timer, version });
        return 0;
      }
      case 'timer.cancel':
        state.timers.delete(op.timer);
        return 0;
      case 'timer.cancelPrefix':
        for (const timer of state.timers.keys()) {
          if (timer === op.prefix || timer.startsWith(`${op.prefix}:`)) state.timers.delete(timer);
        }
        return 0;
      case 'hash.set': {
        const hash = writable(state.hashes[op.hash], now);
        hash.fields.set(op.field, op.value);
        hash.expiresAt = now + this.retention.profileTtl;
        return 0;
      }
      case 'hash.delete':
        writable(state.hashes[op.hash], now).fields.delete(op.field);
        return 0;
      case 'hash.clear':
        writable(state.hashes[op.hash], now).fields.clear();
        return 0;
      case 'hash.setIfAbsent': {
        const hash = writable(state.hashes[op.hash], now);
        hash.expiresAt = now + this.retention.profileTtl;
        if (hash.fields.has(op.field)) return 0;
        hash.fields.set(op.field, op.value);
        return 1;
      }
      case 'hash.increment': {
        const hash = writable(state.hashes[op.hash], now);
        const value = Number.parseInt(hash.fields.get(op.field) ?? '0', 10) + Math.trunc(op.by);
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
    window.members.set(check.member, check.at);
    trim(window.members, check.at - check.span);
    window.expiresAt = Math.max(window.expiresAt, now + check.span);
  }

  private capCount(state: VisitorState, check: CapCheck, now: number): number {
    const window = state.windows.get(check.key);
    if (window === undefined || window.expiresAt <= now) return 0;
    return countWithin(window.members, check.at - check.span, check.at);
  }

  private window(state: VisitorState, key: string, now: number): SortedWindow {
    let window = state.windows.get(key);
    if (window === undefined || window.expiresAt <= now) {
      window = { members: new Map(), expiresAt: now };
      state.windows.set(key, window);
    }
    return window;
  }

  private visitorState(visitor: VisitorRef): VisitorState {
    const key = ownerKey(visitor);
    let state = this.visitors.get(key);
    if (state === undefined) {
      state = {
        ref: { site: visitor.site, visitor: visitor.visitor },
        windows: new Map(),
        gates: new Map(),
        seen: new Map(),
        hashes: { profile: emptyHash(), cart: emptyHash() },
        timers: new Map(),
      };
      this.visitors.set(key, state);
    }
    return state;
  }

  /** Drops expired state so memory stays bounded by the longest window, as Redis TTLs do. */
  private sweepIfDue(now: number): void {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    const dedupeFloor = now - this.retention.dedupeHorizon;
    for (const [key, state] of this.visitors) {
      for (const [name, window] of state.windows) if (window.expiresAt <= now) state.windows.delete(name);
      for (const [name, until] of state.gates) if (until <= now) state.gates.delete(name);
      for (const [id, at] of state.seen) if (at <= dedupeFloor) state.seen.delete(id);
      for (const hash of Object.values(state.hashes)) if (hash.expiresAt <= now) writable(hash, now);
      const empty =
        state.windows.size === 0 &&
        state.gates.size === 0 &&
        state.seen.size === 0 &&
        state.timers.size === 0 &&
        state.hashes.profile.fields.size === 0 &&
        state.hashes.cart.fields.size === 0;
      if (empty) this.visitors.delete(key);
    }
  }
}

/** Unambiguous even when ids contain the separator: site "a:b" + "c" differs from "a" + "b:c". */
function ownerKey(visitor: VisitorRef): string {
  return `${visitor.site.length}:${visitor.site}:${visitor.visitor}`;
}

function emptyHash(): HashState {
  return { fields: new Map(), expiresAt: 0, view: undefined };
}

/** The hash about to change: emptied if it expired, and its cached view dropped. */
function writable(hash: HashState, now: number): HashState {
  if (hash.expiresAt <= now) hash.fields.clear();
  hash.view = undefined;
  return hash;
}

function readHash(hash: HashState, now: number): Record<string, string> {
  if (hash.expiresAt <= now) return {};
  hash.view ??= Object.freeze(Object.fromEntries(hash.fields));
  return hash.view;
}

function trim(members: Map<string, number>, floor: number): void {
  for (const [member, at] of members) if (at <= floor) members.delete(member);
}

function countWithin(members: Map<string, number>, floor: number, ceiling: number): number {
  let count = 0;
  for (const at of members.values()) if (at > floor && at <= ceiling) count++;
  return count;
}
