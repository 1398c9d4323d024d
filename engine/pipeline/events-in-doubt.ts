import type { VisitorRef } from '../events/index.js';

/** How long an event stays in doubt: the tracker resends a failed frame within seconds to minutes. */
const DOUBT_MS = 3_600_000;
/** Past this many, the oldest are forgotten: a long store outage must not grow the engine's heap without bound. */
const MAX_IN_DOUBT = 100_000;

/**
 * The events of frames whose store call failed, when the engine cannot tell whether the store ran
 * it: a connection lost after Redis ran the script loses its reply, and a script that failed part
 * way keeps the writes it made. The store then holds those events as seen, and their resend comes
 * back as duplicates, which would never reach the warehouse. An event in doubt that comes back a
 * duplicate was stored by the failed call only, never written to the warehouse: its rows are
 * written then. Held per engine: a resend that reaches another engine (the socket moved) is not
 * recognised there.
 */
export class EventsInDoubt {
  /** Key → when its doubt ends, oldest first (a Map keeps insertion order). */
  private readonly doubts = new Map<string, number>();

  get size(): number {
    return this.doubts.size;
  }

  /** The store call that carried these events (ids as the store saw them) failed. */
  remember(visitor: VisitorRef, eventIds: Iterable<string>, now: number): void {
    this.expire(now);
    for (const id of eventIds) {
      const key = keyOf(visitor, id);
      this.doubts.delete(key);
      this.doubts.set(key, now + DOUBT_MS);
    }
    for (const key of this.doubts.keys()) {
      if (this.doubts.size <= MAX_IN_DOUBT) break;
      this.doubts.delete(key);
    }
  }

  /** True when the event was in doubt; it is not any more, whatever the store answered for it now. */
  settle(visitor: VisitorRef, eventId: string, now: number): boolean {
    const key = keyOf(visitor, eventId);
    const until = this.doubts.get(key);
    if (until === undefined) return false;
    this.doubts.delete(key);
    return until > now;
  }

  private expire(now: number): void {
    for (const [key, until] of this.doubts) {
      if (until > now) break;
      this.doubts.delete(key);
    }
  }
}

function keyOf(visitor: VisitorRef, eventId: string): string {
  return `${visitor.site}\n${visitor.visitor}\n${eventId}`;
}
