import type { WireEvent } from '../../engine/protocol/index.js';
import { recall, remember } from './storage.js';

const KEY = 'tw_q';
/** Bounded so a site that never reaches the engine cannot fill the tab's storage; the oldest go first. */
const CAPACITY = 200;

/** Events not yet acknowledged by the engine, in order. */
export interface Outbox {
  readonly events: WireEvent[];
  add(event: WireEvent): void;
  drop(ids: string[]): void;
  /** Starts keeping the events in sessionStorage, so they survive navigations (off before consent). */
  persist(): void;
}

export function openOutbox(persisted: boolean): Outbox {
  const events: WireEvent[] = persisted ? (JSON.parse(recall(KEY, true) || '[]') as WireEvent[]) : [];
  const save = (): void => {
    if (persisted) remember(KEY, JSON.stringify(events), true);
  };
  return {
    events,
    add(event) {
      if (events.push(event) > CAPACITY) events.shift();
      save();
    },
    drop(ids) {
      for (let k = events.length; k--; ) if (ids.indexOf(events[k]!.i) >= 0) events.splice(k, 1);
      save();
    },
    persist() {
      persisted = true;
      save();
    },
  };
}
