import type { RetentionPolicy } from '../window-store.js';
import { freezeVisitor, frozenSweepAt, thawVisitor } from './frozen-visitor.js';
import { countVisitors, isEmpty, sweepVisitor, type VisitorState, type VisitorsBySite } from './visitor-state.js';

const SWEEP_INTERVAL_MS = 60_000;
/**
 * A visitor whose last connection closed is frozen once it stayed idle this long, without waiting
 * for a pass. After a burst of sessions ends (a campaign's landing, a load test) their visitors
 * leave the V8 heap in seconds instead of one to two minutes, during which every full GC marked
 * them and every scavenge scanned the old generation they filled (bench/README.md, eleventh round).
 * Long enough for a page's successor to reconnect and send its page view.
 */
const DEPARTED_IDLE_MS = 10_000;
/**
 * Per apply, departed visitors frozen at most (freezing one costs ~14 µs, and a burst must not
 * stall a call), and departures looked at at most (most are stale: the visitor called or came back).
 */
const DEPARTED_PER_APPLY = 4;
const DEPARTURES_PER_APPLY = 64;
/** Departure names wrap below 2^30, so they stay small integers (Smis): writing one allocates nothing. */
const DEPARTURE_WRAP = 0x3fff_ffff;
/**
 * A sweep pass visits at most max(SWEEP_SLICE_MIN, visitors / SWEEP_SLICES) visitors per apply,
 * so no call stops for the whole population (a pass over 100k visitors in one call took tens of
 * milliseconds, every pop-in of that moment waiting behind it). A pass ends after about
 * SWEEP_SLICES applies however many visitors there are, more while new visitors arrive (the pass
 * visits them too) and while it freezes or thaws many (FREEZE_COST): a pass that freezes every
 * visitor takes up to some 30 times longer, and drops expired state that much later.
 */
const SWEEP_SLICE_MIN = 64;
const SWEEP_SLICES = 1000;
/**
 * What freezing or thawing a visitor costs a slice, in visits: encoding or decoding one takes
 * some 30 times as long as looking at one (~14 µs against ~0.4), so a slice freezes at most a
 * few and a pass over a store of newly idle visitors takes more applies instead.
 */
const FREEZE_COST = 32;

interface Departure {
  state: VisitorState;
  /** The state's `departure` when it departed: another value means it was called (0) or departed again since. */
  departure: number;
  at: number;
}

/**
 * Drops expired state so memory stays bounded by the longest window, as Redis TTLs do, and
 * freezes idle visitors: a pass starts every SWEEP_INTERVAL_MS and goes on a slice per apply. It
 * judges expiry by its start time, so what expires meanwhile is left to the next pass. A visitor
 * whose last connection closed is frozen sooner, DEPARTED_IDLE_MS after its last call.
 */
export class VisitorSweep {
  private lastStart = 0;
  /** The pass under way, resumed a slice per apply; undefined between passes. */
  private underWay: Iterator<number, void> | undefined;
  private slice = SWEEP_SLICE_MIN;
  /** Passes started so far: a visitor last called two passes ago is idle, and is frozen. */
  private passes = 0;
  /** Visitors whose last connection closed, by time of departure; `departingHead` is the next, and a consumed entry is cleared so the queue does not hold its visitor. */
  private departing: Array<Departure | undefined> = [];
  private departingHead = 0;
  private departures = 0;

  constructor(
    private readonly visitors: VisitorsBySite,
    private readonly retention: RetentionPolicy,
  ) {}

  /**
   * A call for the visitor at `now`. A departed visitor's idle time starts again: frames still
   * under way when the tab closed, and the tracker's beacon of unacked events, land after it.
   */
  touch(state: VisitorState, now: number): void {
    state.touchedPass = this.passes;
    if (state.departure !== 0) this.departed(state, now);
  }

  /** The visitor opened a connection again: no longer departed. */
  returned(state: VisitorState): void {
    state.departure = 0;
  }

  /** The visitor's last connection closed at `now`: frozen once idle DEPARTED_IDLE_MS, unless it returns. */
  departed(state: VisitorState, now: number): void {
    this.departures = this.departures >= DEPARTURE_WRAP ? 1 : this.departures + 1;
    state.departure = this.departures;
    this.departing.push({ state, departure: this.departures, at: now });
  }

  sliceIfDue(now: number): void {
    if (this.departingHead < this.departing.length) this.freezeDeparted(now);
    if (this.underWay === undefined) {
      if (now - this.lastStart < SWEEP_INTERVAL_MS) return;
      this.lastStart = now;
      this.passes++;
      this.slice = Math.max(SWEEP_SLICE_MIN, Math.ceil(countVisitors(this.visitors) / SWEEP_SLICES));
      this.underWay = this.pass(now, now - this.retention.dedupeHorizon);
    }
    for (let budget = this.slice; budget > 0; ) {
      const step = this.underWay.next();
      if (step.done === true) {
        this.underWay = undefined;
        return;
      }
      budget -= step.value;
    }
  }

  stop(): void {
    this.underWay = undefined;
    this.departing = [];
    this.departingHead = 0;
  }

  /** Freezes the visitors departed DEPARTED_IDLE_MS ago and not called since, a few per apply. */
  private freezeDeparted(now: number): void {
    const queue = this.departing;
    let frozen = 0;
    for (let looked = 0; looked < DEPARTURES_PER_APPLY && frozen < DEPARTED_PER_APPLY && this.departingHead < queue.length; looked++) {
      const { state, departure, at } = queue[this.departingHead]!;
      if (now - at < DEPARTED_IDLE_MS) break;
      queue[this.departingHead++] = undefined;
      if (state.departure !== departure || state.frozen !== undefined) continue;
      state.departure = 0;
      // As the sweep does before it freezes: frozen, a visitor holding nothing would never be forgotten.
      if (sweepVisitor(state, now, now - this.retention.dedupeHorizon)) continue;
      freezeVisitor(state, this.retention.dedupeHorizon);
      frozen++;
    }
    // The consumed head is dropped once it is most of the array, so the queue's memory follows its length.
    if (this.departingHead >= 1024 && this.departingHead * 2 >= queue.length) {
      this.departing = queue.slice(this.departingHead);
      this.departingHead = 0;
    }
  }

  /**
   * Yields after each visitor what sweeping it cost, in visits. Map iteration goes on safely past
   * deletions and insertions.
   */
  private *pass(now: number, dedupeFloor: number): Generator<number, void> {
    for (const [siteKey, site] of this.visitors) {
      for (const state of site.values()) {
        const cost = this.visit(state, now, dedupeFloor);
        if (isEmpty(state)) site.delete(state.visitor);
        yield cost;
      }
      if (site.size === 0) this.visitors.delete(siteKey);
    }
  }

  /**
   * Drops the visitor's expired state; returns what that cost, in visits. A frozen visitor is
   * thawed only once a part of it expired; a live one not called since the previous pass began
   * is frozen.
   */
  private visit(state: VisitorState, now: number, dedupeFloor: number): number {
    let cost = 1;
    if (state.frozen !== undefined) {
      if (frozenSweepAt(state.frozen) > now) return cost;
      thawVisitor(state);
      cost += FREEZE_COST;
    }
    if (sweepVisitor(state, now, dedupeFloor)) return cost;
    if (state.touchedPass < this.passes - 1) {
      freezeVisitor(state, this.retention.dedupeHorizon);
      cost += FREEZE_COST;
    }
    return cost;
  }
}
