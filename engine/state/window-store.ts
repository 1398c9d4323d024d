import type { VisitorRef } from '../events/index.js';

/**
 * The per-visitor state Tripwire keeps: sliding windows, timers, profile and cart hashes,
 * and gates (cooldowns, frequency caps). The scenario core plans operations as plain data;
 * a WindowStore runs all of one frame's operations for one visitor atomically, in one round
 * trip. Keys in operations are relative to the visitor: the store adds the visitor prefix
 * (`tw:{site:visitor}:` on Redis, so every key of one visitor lives in one cluster slot).
 */

/** Adds `member` at time `at` to the sliding window `key`, drops members older than `at - span`, returns the count. */
export interface WindowAddOp {
  kind: 'window.add';
  key: string;
  member: string;
  at: number;
  span: number;
}

/** Counts members of window `key` within `[at - span, at]` without adding. */
export interface WindowCountOp {
  kind: 'window.count';
  key: string;
  at: number;
  span: number;
}

/** Arms (or re-arms, moving its due time) the visitor's timer `timer`. */
export interface TimerArmOp {
  kind: 'timer.arm';
  timer: string;
  due: number;
  payload: string;
}

/**
 * Cancels the visitor's timer `timer`; with `dueBy`, only when it is due at or before it. An event
 * that stops a wait (an exit, a step's `unless`) says so: a timer due later than the event's
 * time plus the wait started waiting after the event, which a late event (one the tracker
 * resent, with its original time) must not stop.
 */
export interface TimerCancelOp {
  kind: 'timer.cancel';
  timer: string;
  dueBy?: number;
}

/** Cancels the visitor's timers named `prefix` or `prefix:<anything>` (all groups of one reminder); with `dueBy`, those due at or before it. */
export interface TimerCancelPrefixOp {
  kind: 'timer.cancelPrefix';
  prefix: string;
  dueBy?: number;
}

/** Sets a field of one of the visitor's hashes ('profile' or 'cart'). */
export interface HashSetOp {
  kind: 'hash.set';
  hash: VisitorHash;
  field: string;
  value: string;
}

export interface HashDeleteOp {
  kind: 'hash.delete';
  hash: VisitorHash;
  field: string;
}

export interface HashClearOp {
  kind: 'hash.clear';
  hash: VisitorHash;
}

/** Sets a field only when it has no value yet (first seen, first source); result 1 when it was set. */
export interface HashSetIfAbsentOp {
  kind: 'hash.setIfAbsent';
  hash: VisitorHash;
  field: string;
  value: string;
}

/** Adds an integer to a field (cart quantities); the result is the new value, and a field at or below 0 is removed. */
/**
 * Sets `field` to the value `from` has in the same hash, or removes `field` when `from` has none:
 * what a field was given for (the address of an email consent) without reading it first.
 */
export interface HashCopyOp {
  kind: 'hash.copy';
  hash: VisitorHash;
  field: string;
  from: string;
}

export interface HashIncrementOp {
  kind: 'hash.increment';
  hash: VisitorHash;
  field: string;
  by: number;
}

export type VisitorHash = 'profile' | 'cart';

export type StateOp =
  | WindowAddOp
  | WindowCountOp
  | TimerArmOp
  | TimerCancelOp
  | TimerCancelPrefixOp
  | HashSetOp
  | HashDeleteOp
  | HashClearOp
  | HashSetIfAbsentOp
  | HashCopyOp
  | HashIncrementOp;

/** The operations one event causes. `eventId` is recorded so a resent event is applied once. */
export interface EventOps {
  eventId: string;
  ops: StateOp[];
}

export interface ApplyRequest {
  visitor: VisitorRef;
  /** Arrival time of the frame (the engine's clock): drives expiry, the duplicate-id horizon and the claims' gates and caps. */
  now: number;
  events: EventOps[];
  /**
   * Whether the result must carry the visitor's profile; default true. A caller that will not
   * read it (a frame that cannot fire) passes false, and a store that has to read the profile
   * to return it (Redis: one HGETALL per frame) may then return an empty one.
   */
  withProfile?: boolean;
  /**
   * Claims to take in the same atomic call, each only if a result of this frame's ops meets its
   * condition: a frame that fires then costs one round trip instead of an apply and a claim. They
   * count from `now`, as claim() does.
   */
  claims?: readonly ConditionalClaim[];
}

export interface EventOutcome {
  /** True when this event id was already applied: none of its ops ran. */
  duplicate: boolean;
  /** One number per op, in order: the count for window ops, 1/0 for hash.setIfAbsent, the new value for hash.increment, 0 for the others. */
  results: number[];
}

export interface ApplyResult {
  events: EventOutcome[];
  /** The visitor's profile hash after the ops ran; may be empty when the request's withProfile was false. */
  profile: Record<string, string>;
  /** One outcome per conditional claim of the request, in order; empty without any. */
  claims: readonly ClaimOutcome[];
  /** The visitor's cart hash after the call, when a conditional claim was granted (a delivery renders it); else undefined. */
  cart: Record<string, string> | undefined;
}

/**
 * A claim is all-or-nothing: every check must pass, then every check is recorded.
 * Claims are tried in order, so the caller puts the highest priority first. Of the claims sharing
 * a `lane`, those after the first one granted are not tried (CLAIM_NOT_TRIED): a claim that fails
 * (a scenario in its quiet period) leaves its lane to the next.
 *
 * Gates and caps count from the call's `now`, the time the engine fires, never from the time of
 * the events that made a scenario fire: a quiet period is "no second message within X of the last
 * one sent", and an event the tracker resends late, with its original time, is sent now.
 */
export interface Claim {
  checks: ClaimCheck[];
  lane?: string;
}

/** Passes when `key` is not held; holds it for `ttl` ms (cooldowns, one firing per occurrence). */
export interface GateCheck {
  kind: 'gate';
  key: string;
  ttl: number;
}

/** Passes when fewer than `limit` members were added to `key` within `span` before now; adds `member` at now. */
export interface CapCheck {
  kind: 'cap';
  key: string;
  limit: number;
  span: number;
  member: string;
}

export type ClaimCheck = GateCheck | CapCheck;

/** A condition on the result of one op of an apply: how a frame's counts make a scenario fire. */
export interface ResultCondition {
  /** The op whose result decides: its event's index in the request, and its index among that event's ops. */
  event: number;
  op: number;
  /** Holds when the result equals this (a count crossing); when undefined, when it reaches `atLeast`. */
  equals: number | undefined;
  atLeast: number;
}

/** Whether the apply's outcomes meet the condition; an op of a duplicate event never does. */
export function resultMeets(outcomes: readonly EventOutcome[], condition: ResultCondition): boolean {
  const outcome = outcomes[condition.event];
  if (outcome === undefined || outcome.duplicate) return false;
  const value = outcome.results[condition.op] ?? 0;
  return condition.equals !== undefined ? value === condition.equals : value >= condition.atLeast;
}

/**
 * A claim an apply takes only when the result of one of its ops meets a condition (a count
 * reaching a scenario's threshold): what a screening can decide before the frame runs, because it
 * does not depend on the visitor's profile. The conditional claims of a request are tried in
 * order, and of those sharing a lane (a channel's, on one event) whose condition holds, each until
 * one is granted; the others are not tried: the caller puts the highest priority first. They count
 * from the apply's `now`, as a claim request counts from its own (see Claim).
 */
export interface ConditionalClaim extends ResultCondition {
  lane: string;
  checks: ClaimCheck[];
}

export interface ClaimRequest {
  visitor: VisitorRef;
  /** When the engine fires (its clock): every claim of the request counts from it. */
  now: number;
  claims: Claim[];
}

/**
 * How long a taken timer waits for `settleTimers` before it is due again. Far above a delivery's
 * duration (a claim and a channel hand-off), so only a taker that died lets a timer fire twice.
 */
export const TIMER_LEASE_MS = 120_000;

export interface DueTimer {
  visitor: VisitorRef;
  timer: string;
  due: number;
  payload: string;
  /**
   * When the caller's lease on the timer ends: `settleTimers` ends this lease only, not one
   * another engine took once it had ended.
   */
  leaseUntil: number;
}

export interface VisitorSnapshot {
  profile: Record<string, string>;
  cart: Record<string, string>;
}

/** -1 when the claim was granted, else the index of its first failing check (the suppression reason). */
export type ClaimOutcome = number;

export const CLAIM_GRANTED: ClaimOutcome = -1;

/** A conditional claim whose condition did not hold, or whose lane went to an earlier one: nothing of it ran. */
export const CLAIM_NOT_TRIED: ClaimOutcome = -2;

export interface WindowStore {
  apply(request: ApplyRequest): Promise<ApplyResult>;
  /** Returns one outcome per claim, in order. */
  claim(request: ClaimRequest): Promise<ClaimOutcome[]>;
  /**
   * Returns up to `limit` timers due at or before `now`, across all visitors, earliest first, each
   * to exactly one caller even with several engines sharing the store. A returned timer is leased
   * to its caller for {@link TIMER_LEASE_MS}: `settleTimers` ends it once the firing is delivered
   * (or armed again). A timer whose caller dies first is due again when its lease ends, with its
   * own due time and payload, so a crash between taking and delivering loses no firing.
   */
  takeDueTimers(now: number, limit: number): Promise<DueTimer[]>;
  /**
   * Ends the leases of timers from `takeDueTimers`: they are gone for good. A timer armed again
   * under the same name since it was taken stays armed, and a lease another engine took over
   * once this one had ended stays that engine's. A cancel does not reach a timer already taken:
   * its firing was due before the cancel.
   */
  settleTimers(timers: readonly DueTimer[]): Promise<void>;
  /** Reads the visitor's profile and cart hashes. */
  snapshot(visitor: VisitorRef): Promise<VisitorSnapshot>;
  /**
   * A hint, at `now`: the visitor's last open connection closed (the tab, not the page: the next
   * page opens one within a second). A store that holds visitors in the engine's memory may move
   * the visitor's state out of the way once it stays idle for a while; it changes nothing a call
   * returns.
   */
  disconnected(visitor: VisitorRef, now: number): void;
  /** A hint: the visitor opened a connection (again). */
  connected(visitor: VisitorRef): void;
  /** Resolves when the store answers; rejects with what is wrong (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** How long state lives when no window asks for longer. */
export interface RetentionPolicy {
  /** Profile and cart hashes: refreshed on every write. */
  profileTtl: number;
  /** Horizon for duplicate event ids. */
  dedupeHorizon: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  profileTtl: 400 * 24 * 3600_000,
  dedupeHorizon: 24 * 3600_000,
};
