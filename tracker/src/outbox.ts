import type { WireEvent } from '../../engine/protocol/index.js';
import { recall, remember } from './storage.js';

const KEY = 'tw_q';
/** Bounded so a site that never reaches the engine cannot fill the tab's storage; the oldest go first. */
const CAPACITY = 200;

/** Events not yet acknowledged by the engine, in order. */
export interface Outbox {
  /** Replaced, not changed in place, by drop() and by a page restored from the back/forward cache. */
  events: WireEvent[];
  add(event: WireEvent): void;
  drop(ids: string[]): void;
  /** Starts keeping the events in sessionStorage, so they survive navigations (off before consent). */
  persist(): void;
}

/**
 * The stored events. Another script, an older tracker or a corrupted write may have left anything
 * under the key: what is not a list counts as empty, and entries without an id are left out, as
 * they could be neither sent nor dropped.
 */
export function storedEvents(): WireEvent[] {
  try {
    // A missing key (null) parses as null.
    const value: unknown = JSON.parse(recall(KEY, true)!);
    return Array.isArray(value) ? value.filter((event: WireEvent | null) => event && event.i) : [];
  } catch {
    // Not JSON: nothing to keep.
    return [];
  }
}

export function openOutbox(persisted: boolean): Outbox {
  const save = (): void => {
    // An empty outbox is no key at all: after a consent withdrawal nothing of the visitor stays.
    if (persisted) remember(KEY, outbox.events.length ? JSON.stringify(outbox.events) : null, true);
  };
  const outbox: Outbox = {
    events: persisted ? storedEvents() : [],
    add(event) {
      if (outbox.events.push(event) > CAPACITY) outbox.events.shift();
      save();
    },
    drop(ids) {
      outbox.events = outbox.events.filter((event) => ids.indexOf(event.i) < 0);
      save();
    },
    persist() {
      persisted = true;
      save();
    },
  };
  return outbox;
}
