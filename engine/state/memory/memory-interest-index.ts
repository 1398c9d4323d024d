import type { VisitorRef } from '../../events/index.js';
import {
  DEFAULT_INTEREST_BOUNDS,
  INTEREST_KINDS,
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

type ProductSets = Partial<Record<InterestKind, InterestSet>>;

/**
 * The in-process InterestIndex, for a single engine: the same semantics as the Redis one (it
 * passes the same contract suite). Ties on time are broken by visitor id, as a sorted set does.
 */
export class MemoryInterestIndex implements InterestIndex {
  /** site → product → the product's sets: nested lookups, no key string made per update. */
  private readonly sites = new Map<string, Map<string, ProductSets>>();
  private lastSweep = 0;

  constructor(private readonly bounds: InterestBounds = DEFAULT_INTEREST_BOUNDS) {}

  async record(visitor: VisitorRef, updates: readonly InterestUpdate[], now: number): Promise<void> {
    this.sweepIfDue(now);
    for (const update of updates) {
      if (update.kind === 'drop') {
        this.find(visitor.site, update.product, update.interest)?.members.delete(visitor.visitor);
        continue;
      }
      const sets = this.productSets(visitor.site, update.product);
      let set = sets[update.interest];
      if (set === undefined) {
        set = { members: new Map(), touchedAt: now };
        sets[update.interest] = set;
      }
      const previous = set.members.get(visitor.visitor);
      // A resent or late event must not make an interest look older than it is. Re-inserting keeps
      // the map in arrival order, which is time order but for late events: trimming reads its front.
      if (previous === undefined || previous < update.at) {
        set.members.delete(visitor.visitor);
        set.members.set(visitor.visitor, update.at);
      }
      set.touchedAt = now;
      this.trim(set, now);
    }
  }

  async interested(query: InterestQuery): Promise<InterestedVisitor[]> {
    const set = this.find(query.site, query.product, query.interest);
    if (set === undefined || set.touchedAt <= query.now - this.bounds.maxAge) return [];
    const oldest = this.oldestKept(query.now);
    return newestFirst(set.members)
      .filter((entry) => entry.at >= query.since && entry.at > oldest)
      .slice(0, this.bounds.maxVisitorsPerProduct);
  }

  async forget(site: string, product: string, interest: InterestKind, visitors: readonly string[]): Promise<void> {
    const set = this.find(site, product, interest);
    if (set === undefined) return;
    for (const visitor of visitors) set.members.delete(visitor);
  }

  /**
   * Amortised so a product event costs O(1), however popular the product: expired interests are
   * dropped from the front (the oldest arrivals), and the size bound is enforced by one sort each
   * time the set outgrows it by a slack. Queries filter by age and bound their answer, so what
   * a late event leaves behind for a while is never visible.
   */
  private trim(set: InterestSet, now: number): void {
    const oldest = this.oldestKept(now);
    for (const [visitor, at] of set.members) {
      if (at > oldest) break;
      set.members.delete(visitor);
    }
    const max = this.bounds.maxVisitorsPerProduct;
    if (set.members.size <= max + Math.max(16, max >> 3)) return;
    const kept = newestFirst(set.members).slice(0, max).reverse();
    set.members = new Map(kept.map((entry) => [entry.visitor, entry.at]));
  }

  private find(site: string, product: string, interest: InterestKind): InterestSet | undefined {
    return this.sites.get(site)?.get(product)?.[interest];
  }

  private productSets(site: string, product: string): ProductSets {
    let products = this.sites.get(site);
    if (products === undefined) {
      products = new Map();
      this.sites.set(site, products);
    }
    let sets = products.get(product);
    if (sets === undefined) {
      sets = {};
      products.set(product, sets);
    }
    return sets;
  }

  private oldestKept(now: number): number {
    return now - this.bounds.maxAge;
  }

  private sweepIfDue(now: number): void {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    for (const [site, products] of this.sites) {
      for (const [product, sets] of products) {
        for (const interest of INTEREST_KINDS) {
          const set = sets[interest];
          if (set !== undefined && (set.touchedAt <= now - this.bounds.maxAge || set.members.size === 0)) sets[interest] = undefined;
        }
        if (INTEREST_KINDS.every((interest) => sets[interest] === undefined)) products.delete(product);
      }
      if (products.size === 0) this.sites.delete(site);
    }
  }
}

function newestFirst(members: ReadonlyMap<string, number>): InterestedVisitor[] {
  return [...members]
    .map(([visitor, at]) => ({ visitor, at }))
    .sort((a, b) => b.at - a.at || (a.visitor < b.visitor ? 1 : a.visitor > b.visitor ? -1 : 0));
}
