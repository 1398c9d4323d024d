import type { VisitorRef } from '../../events/index.js';
import {
  DEFAULT_INTEREST_BOUNDS,
  type InterestBounds,
  type InterestIndex,
  type InterestKind,
  type InterestQuery,
  type InterestUpdate,
  type InterestedVisitor,
} from '../interest-index.js';

const SWEEP_INTERVAL_MS = 60_000;

interface InterestSet {
  /** visitor → time of the latest interest. */
  members: Map<string, number>;
  /** Time of the last write: a set untouched for maxAge is dropped, as a Redis key expires. */
  touchedAt: number;
}

/**
 * The in-process InterestIndex, for a single engine: the same semantics as the Redis one (it
 * passes the same contract suite). Ties on time are broken by visitor id, as a sorted set does.
 */
export class MemoryInterestIndex implements InterestIndex {
  private readonly sets = new Map<string, InterestSet>();
  private lastSweep = 0;

  constructor(private readonly bounds: InterestBounds = DEFAULT_INTEREST_BOUNDS) {}

  async record(visitor: VisitorRef, updates: readonly InterestUpdate[], now: number): Promise<void> {
    this.sweepIfDue(now);
    for (const update of updates) {
      const key = setKey(visitor.site, update.product, update.interest);
      if (update.kind === 'drop') {
        this.sets.get(key)?.members.delete(visitor.visitor);
        continue;
      }
      let set = this.sets.get(key);
      if (set === undefined) {
        set = { members: new Map(), touchedAt: now };
        this.sets.set(key, set);
      }
      const previous = set.members.get(visitor.visitor);
      // A resent or late event must not make an interest look older than it is.
      if (previous === undefined || previous < update.at) set.members.set(visitor.visitor, update.at);
      set.touchedAt = now;
      this.trim(set, now);
    }
  }

  async interested(query: InterestQuery): Promise<InterestedVisitor[]> {
    const set = this.sets.get(setKey(query.site, query.product, query.interest));
    if (set === undefined || set.touchedAt <= query.now - this.bounds.maxAge) return [];
    const oldest = this.oldestKept(query.now);
    return newestFirst(set.members)
      .filter((entry) => entry.at >= query.since && entry.at > oldest)
      .slice(0, this.bounds.maxVisitorsPerProduct);
  }

  async forget(site: string, product: string, interest: InterestKind, visitors: readonly string[]): Promise<void> {
    const set = this.sets.get(setKey(site, product, interest));
    if (set === undefined) return;
    for (const visitor of visitors) set.members.delete(visitor);
  }

  /** Drops interests at or before `now - maxAge`, then the oldest past the size bound. */
  private trim(set: InterestSet, now: number): void {
    const oldest = this.oldestKept(now);
    for (const [visitor, at] of set.members) if (at <= oldest) set.members.delete(visitor);
    const excess = set.members.size - this.bounds.maxVisitorsPerProduct;
    if (excess <= 0) return;
    const ranked = newestFirst(set.members);
    for (const entry of ranked.slice(ranked.length - excess)) set.members.delete(entry.visitor);
  }

  private oldestKept(now: number): number {
    return now - this.bounds.maxAge;
  }

  private sweepIfDue(now: number): void {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    for (const [key, set] of this.sets) {
      if (set.touchedAt <= now - this.bounds.maxAge || set.members.size === 0) this.sets.delete(key);
    }
  }
}

function setKey(site: string, product: string, interest: InterestKind): string {
  return JSON.stringify([site, product, interest]);
}

function newestFirst(members: ReadonlyMap<string, number>): InterestedVisitor[] {
  return [...members]
    .map(([visitor, at]) => ({ visitor, at }))
    .sort((a, b) => b.at - a.at || (a.visitor < b.visitor ? 1 : a.visitor > b.visitor ? -1 : 0));
}
