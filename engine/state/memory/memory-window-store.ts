import { systemClock, type Clock, type VisitorRef } from '../../events/index.js';
import {
  CLAIM_GRANTED,
  CLAIM_NOT_TRIED,
  DEFAULT_RETENTION,
  TIMER_LEASE_MS,
  resultMeets,
  type ClaimOutcome,
  type ApplyRequest,
  type ApplyResult,
  type CapCheck,
  type ClaimCheck,
  type ClaimRequest,
  type ConditionalClaim,
  type DueTimer,
  type EventOutcome,
  type RetentionPolicy,
  type StateOp,
  type VisitorSnapshot,
  type WindowStore,
} from '../window-store.js';
import { freezeVisitor, thawVisitor } from './frozen-visitor.js';
import { SlidingWindow } from './sliding-window.js';
import { flattened, interned } from './stored-text.js';
import { TimerHeap } from './timer-heap.js';
import { countVisitors, emptyVisitorState, isEmpty, live, readHash, writableHash, type LeasedTimer, type VisitorState, type VisitorsBySite } from './visitor-state.js';
import { VisitorSweep } from './visitor-sweep.js';

const NO_CLAIMS: ClaimOutcome[] = [];

/**
 * The in-process WindowStore: the same semantics as the Redis store (it passes the same
 * contract suite), for a single engine process. Everything of one call happens synchronously,
 * so a call is atomic with respect to every other.
 */
export class MemoryWindowStore implements WindowStore {
  private readonly visitors: VisitorsBySite = new Map();
  private readonly heap = new TimerHeap<VisitorState>();
  private nextVersion = 1;
  private readonly sweep: VisitorSweep;

  constructor(
    private readonly retention: RetentionPolicy = DEFAULT_RETENTION,
    private readonly clock: Clock = systemClock,
  ) {
    this.sweep = new VisitorSweep(this.visitors, retention);
  }

  /** Number of visitors the store holds, frozen or not: the benchmark reports memory per visitor with it. */
  get visitorCount(): number {
    return countVisitors(this.visitors);
  }

  /** Number of visitors frozen outside the V8 heap (frozen-visitor.ts). */
  get frozenVisitorCount(): number {
    let count = 0;
    for (const site of this.visitors.values()) for (const state of site.values()) if (state.frozen !== undefined) count++;
    return count;
  }

  /**
   * Freezes every visitor that holds anything now, idle or not, as the sweep freezes idle ones;
   * returns how many it froze. Each comes back on its next call. For measuring (the heap of a store of idle visitors)
   * and for running the contract suite on frozen state.
   */
  freezeAll(): number {
    let frozen = 0;
    for (const site of this.visitors.values()) {
      for (const state of site.values()) {
        // Frozen, a visitor holding nothing would have no expiry for the sweep to forget it by.
        if (state.frozen !== undefined || isEmpty(state)) continue;
        freezeVisitor(state, this.retention.dedupeHorizon);
        frozen++;
      }
    }
    return frozen;
  }

  async apply(request: ApplyRequest): Promise<ApplyResult> {
    const { now } = request;
    this.sweep.sliceIfDue(now);
    const state = this.visitorState(request.visitor, now);
    const dedupeFloor = now - this.retention.dedupeHorizon;
    const events = request.events;
    const outcomes: EventOutcome[] = new Array(events.length);
    // The ids' window never expires as a whole: its members age out past the dedupe horizon.
    const seen = (state.seen ??= new SlidingWindow(Number.POSITIVE_INFINITY));
    for (let e = 0; e < events.length; e++) {
      const event = events[e]!;
      const ops = event.ops;
      const results: number[] = new Array(ops.length).fill(0);
      const seenAt = seen.timeOf(event.eventId);
      if (seenAt !== undefined && seenAt > dedupeFloor) {
        outcomes[e] = { duplicate: true, results };
        continue;
      }
      seen.add(event.eventId, now);
      for (let i = 0; i < ops.length; i++) results[i] = this.run(state, ops[i]!, now);
      outcomes[e] = { duplicate: false, results };
    }
    const claims = request.claims === undefined || request.claims.length === 0 ? NO_CLAIMS : this.claimConditionally(state, request.claims, outcomes, now);
    const granted = claims.includes(CLAIM_GRANTED);
    return { events: outcomes, profile: readHash(state.profile, now), claims, cart: granted ? readHash(state.cart, now) : undefined };
  }

  async claim(request: ClaimRequest): Promise<ClaimOutcome[]> {
    const state = this.visitorState(request.visitor, request.now);
    const lanes = new Set<string>();
    return request.claims.map((claim) => {
      if (claim.lane !== undefined && lanes.has(claim.lane)) return CLAIM_NOT_TRIED;
      const outcome = this.tryClaim(state, claim.checks, request.now);
      if (outcome === CLAIM_GRANTED && claim.lane !== undefined) lanes.add(claim.lane);
      return outcome;
    });
  }

  private claimConditionally(state: VisitorState, claims: readonly ConditionalClaim[], outcomes: readonly EventOutcome[], now: number): ClaimOutcome[] {
    const lanes = new Set<string>();
    return claims.map((claim) => {
      if (!resultMeets(outcomes, claim) || lanes.has(claim.lane)) return CLAIM_NOT_TRIED;
      const outcome = this.tryClaim(state, claim.checks, now);
      if (outcome === CLAIM_GRANTED) lanes.add(claim.lane);
      return outcome;
    });
  }

  private tryClaim(state: VisitorState, checks: readonly ClaimCheck[], now: number): ClaimOutcome {
    const failed = checks.findIndex((check) => !this.passes(state, check, now));
    if (failed !== CLAIM_GRANTED) return failed;
    for (const check of checks) this.record(state, check, now);
    return CLAIM_GRANTED;
  }

  /**
   * A heap entry stands for an armed timer or for a lease (versions are unique across both): an
   * armed timer taken becomes a lease, and a lease whose entry surfaces was abandoned by its taker
   * and is taken again.
   */
  async takeDueTimers(now: number, limit: number): Promise<DueTimer[]> {
    const taken: DueTimer[] = [];
    while (taken.length < limit && this.heap.size > 0 && this.heap.peekDue() <= now) {
      const top = this.heap.pop()!;
      const state = top.owner;
      if (state.frozen !== undefined) thawVisitor(state);
      const live = state.timers?.get(top.timer);
      if (live !== undefined && live.version === top.version) {
        if (live.due > top.due) {
          // Re-armed later since this entry was pushed: it goes back in at its real due time.
          live.indexedAt = live.due;
          this.heap.push(live.due, state, top.timer, top.version);
          continue;
        }
        state.timers!.delete(top.timer);
        const lease: LeasedTimer = { timer: top.timer, due: live.due, payload: live.payload, leaseUntil: 0, version: 0 };
        (state.leased ??= []).push(lease);
        taken.push(this.renew(state, lease, now));
        continue;
      }
      const abandoned = state.leased?.find((lease) => lease.version === top.version);
      if (abandoned !== undefined) taken.push(this.renew(state, abandoned, now));
    }
    // Abandoned leases surface at their lease end; callers get timers by due time, as from Redis.
    return taken.sort((a, b) => a.due - b.due || (a.timer < b.timer ? -1 : a.timer > b.timer ? 1 : 0));
  }

  async settleTimers(timers: readonly DueTimer[]): Promise<void> {
    for (const timer of timers) {
      const state = this.visitors.get(timer.visitor.site)?.get(timer.visitor.visitor);
      if (state?.frozen !== undefined) thawVisitor(state);
      const leased = state?.leased;
      const index = leased?.findIndex((lease) => lease.timer === timer.timer && lease.due === timer.due && lease.leaseUntil === timer.leaseUntil) ?? -1;
      if (index >= 0) leased!.splice(index, 1);
    }
  }

  disconnected(visitor: VisitorRef, now: number): void {
    const state = this.visitors.get(visitor.site)?.get(visitor.visitor);
    if (state !== undefined && state.frozen === undefined) this.sweep.departed(state, now);
  }

  connected(visitor: VisitorRef): void {
    const state = this.visitors.get(visitor.site)?.get(visitor.visitor);
    if (state !== undefined) this.sweep.returned(state);
  }

  async snapshot(visitor: VisitorRef): Promise<VisitorSnapshot> {
    const state = this.visitors.get(visitor.site)?.get(visitor.visitor);
    if (state === undefined) return { profile: {}, cart: {} };
    if (state.frozen !== undefined) thawVisitor(state);
    const now = this.clock.now();
    return { profile: readHash(state.profile, now), cart: readHash(state.cart, now) };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.visitors.clear();
    this.heap.clear();
    this.sweep.stop();
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
        const window = state.windows?.get(op.key);
        if (window === undefined || window.expiresAt <= now) return 0;
        return window.count(op.at - op.span, op.at);
      }
      case 'timer.arm':
        this.arm(state, op.timer, op.due, op.payload);
        return 0;
      case 'timer.cancel': {
        const timer = state.timers?.get(op.timer);
        if (timer !== undefined && (op.dueBy === undefined || timer.due <= op.dueBy)) state.timers!.delete(op.timer);
        return 0;
      }
      case 'timer.cancelPrefix': {
        const timers = state.timers;
        if (timers === undefined) return 0;
        const group = `${op.prefix}:`;
        for (const [name, timer] of timers) {
          if ((name === op.prefix || name.startsWith(group)) && (op.dueBy === undefined || timer.due <= op.dueBy)) timers.delete(name);
        }
        return 0;
      }
      case 'hash.set': {
        const hash = writableHash(state, op.hash, now);
        const current = hash.fields.get(op.field);
        if (current !== op.value) {
          hash.fields.set(current === undefined ? interned(op.field) : op.field, flattened(op.value));
          hash.view = undefined;
        }
        hash.expiresAt = now + this.retention.profileTtl;
        return 0;
      }
      case 'hash.delete': {
        const hash = live(state[op.hash], now);
        if (hash !== undefined && hash.fields.delete(op.field)) hash.view = undefined;
        return 0;
      }
      case 'hash.clear': {
        const hash = live(state[op.hash], now);
        if (hash !== undefined && hash.fields.size > 0) {
          hash.fields.clear();
          hash.view = undefined;
        }
        return 0;
      }
      case 'hash.setIfAbsent': {
        const hash = writableHash(state, op.hash, now);
        hash.expiresAt = now + this.retention.profileTtl;
        if (hash.fields.has(op.field)) return 0;
        hash.fields.set(interned(op.field), flattened(op.value));
        hash.view = undefined;
        return 1;
      }
      case 'hash.copy': {
        const value = live(state[op.hash], now)?.fields.get(op.from);
        if (value === undefined) return this.run(state, { kind: 'hash.delete', hash: op.hash, field: op.field }, now);
        return this.run(state, { kind: 'hash.set', hash: op.hash, field: op.field, value }, now);
      }
      case 'hash.increment': {
        const hash = writableHash(state, op.hash, now);
        const current = hash.fields.get(op.field);
        const value = Number.parseInt(current ?? '0', 10) + Math.trunc(op.by);
        hash.view = undefined;
        if (value <= 0) {
          hash.fields.delete(op.field);
          return 0;
        }
        hash.fields.set(current === undefined ? interned(op.field) : op.field, String(value));
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
    const timers = (state.timers ??= new Map());
    const current = timers.get(timer);
    if (current !== undefined && current.indexedAt <= due) {
      current.due = due;
      current.payload = flattened(payload);
      return;
    }
    const version = this.nextVersion++;
    const name = interned(timer);
    if (current === undefined) timers.set(name, { due, payload: flattened(payload), version, indexedAt: due });
    else {
      current.due = due;
      current.payload = flattened(payload);
      current.version = version;
      current.indexedAt = due;
    }
    this.heap.push(due, state, name, version);
  }

  /** Starts a lease (or a new one, for the taker after one that died) and its heap entry. */
  private renew(state: VisitorState, lease: LeasedTimer, now: number): DueTimer {
    lease.version = this.nextVersion++;
    lease.leaseUntil = now + TIMER_LEASE_MS;
    this.heap.push(lease.leaseUntil, state, lease.timer, lease.version);
    return { visitor: { site: state.site, visitor: state.visitor }, timer: lease.timer, due: lease.due, payload: lease.payload, leaseUntil: lease.leaseUntil };
  }

  private passes(state: VisitorState, check: ClaimCheck, now: number): boolean {
    if (check.kind === 'gate') return (state.gates?.get(check.key) ?? 0) <= now;
    return this.capCount(state, check, now) < check.limit;
  }

  private record(state: VisitorState, check: ClaimCheck, now: number): void {
    if (check.kind === 'gate') {
      const gates = (state.gates ??= new Map());
      if (gates.has(check.key)) gates.set(check.key, now + check.ttl);
      else gates.set(interned(check.key), now + check.ttl);
      return;
    }
    const window = this.window(state, check.key, now);
    window.add(check.member, now);
    window.trim(now - check.span);
    window.expiresAt = Math.max(window.expiresAt, now + check.span);
  }

  private capCount(state: VisitorState, check: CapCheck, now: number): number {
    const window = state.windows?.get(check.key);
    if (window === undefined || window.expiresAt <= now) return 0;
    return window.count(now - check.span, now);
  }

  private window(state: VisitorState, key: string, now: number): SlidingWindow {
    const windows = (state.windows ??= new Map());
    let window = windows.get(key);
    if (window === undefined) {
      window = new SlidingWindow(now);
      windows.set(interned(key), window);
    } else if (window.expiresAt <= now) {
      // The key stored with the expired window stays.
      window = new SlidingWindow(now);
      windows.set(key, window);
    }
    return window;
  }

  private visitorState(visitor: VisitorRef, now: number): VisitorState {
    let site = this.visitors.get(visitor.site);
    if (site === undefined) {
      site = new Map();
      this.visitors.set(visitor.site, site);
    }
    let state = site.get(visitor.visitor);
    if (state === undefined) {
      state = emptyVisitorState(visitor);
      site.set(visitor.visitor, state);
    } else if (state.frozen !== undefined) thawVisitor(state);
    this.sweep.touch(state, now);
    return state;
  }
}
