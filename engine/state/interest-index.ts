import type { VisitorRef } from '../events/index.js';

/**
 * From a product to the visitors interested in it: the index a catalogue change fans out
 * through, so that a price drop reaches the few visitors it concerns without a scan of all
 * visitors. One set per (site, product, kind), scored by the time of the visitor's latest
 * interest, bounded in size (newest kept) and in age.
 */
export type InterestKind = 'view' | 'cart';

export const INTEREST_KINDS: readonly InterestKind[] = ['view', 'cart'];

/** The visitor showed interest at `at` (a product view, a cart add). */
export interface InterestNote {
  kind: 'note';
  product: string;
  interest: InterestKind;
  at: number;
}

/** The visitor's interest of this kind is over (removed from the cart, bought). */
export interface InterestDrop {
  kind: 'drop';
  product: string;
  interest: InterestKind;
}

export type InterestUpdate = InterestNote | InterestDrop;

export interface InterestBounds {
  /** Visitors kept per product and kind; past it the oldest interests are dropped. */
  maxVisitorsPerProduct: number;
  /** Interests older than this (by arrival time) are dropped, and an idle product's sets expire. */
  maxAge: number;
}

export const DEFAULT_INTEREST_BOUNDS: InterestBounds = {
  maxVisitorsPerProduct: 10_000,
  maxAge: 30 * 86_400_000,
};

export interface InterestedVisitor {
  visitor: string;
  /** When the interest was last noted. */
  at: number;
}

export interface InterestQuery {
  site: string;
  product: string;
  interest: InterestKind;
  /** Only interests noted at or after this time. */
  since: number;
  /** Arrival time of the query: bounds age as the writes do. */
  now: number;
}

export interface InterestIndex {
  /**
   * Applies one frame's updates for one visitor, in order, and trims the sets it touched to
   * the bounds (age measured from `now`). One round trip; Redis sends it in the same write as
   * the frame's WindowStore apply when both share a connection.
   */
  record(visitor: VisitorRef, updates: readonly InterestUpdate[], now: number): Promise<void>;
  /** The interested visitors, newest first; never more than the size bound. */
  interested(query: InterestQuery): Promise<InterestedVisitor[]>;
  /** Removes visitors whose interest turned out stale (a cart emptied by a purchase). */
  forget(site: string, product: string, interest: InterestKind, visitors: readonly string[]): Promise<void>;
}
