import type { VisitorRef } from '../../engine/events/index.js';
import type { ApplyRequest, ApplyResult, ClaimOutcome, ClaimRequest, DueTimer, MemoryWindowStore, VisitorSnapshot, WindowStore } from '../../engine/state/index.js';

/**
 * The in-process store with every visitor frozen after every call, so each call starts from state
 * that went through the freezer's bytes (engine/state/memory/frozen-visitor.ts). A real store, not
 * a stand-in: the sweep freezes idle visitors the same way, only later.
 */
export class FrozenBetweenCalls implements WindowStore {
  constructor(private readonly store: MemoryWindowStore) {}

  apply(request: ApplyRequest): Promise<ApplyResult> {
    return this.frozenAfter(this.store.apply(request));
  }

  claim(request: ClaimRequest): Promise<ClaimOutcome[]> {
    return this.frozenAfter(this.store.claim(request));
  }

  takeDueTimers(now: number, limit: number): Promise<DueTimer[]> {
    return this.frozenAfter(this.store.takeDueTimers(now, limit));
  }

  settleTimers(timers: readonly DueTimer[]): Promise<void> {
    return this.frozenAfter(this.store.settleTimers(timers));
  }

  snapshot(visitor: VisitorRef): Promise<VisitorSnapshot> {
    return this.frozenAfter(this.store.snapshot(visitor));
  }

  disconnected(visitor: VisitorRef, now: number): void {
    this.store.disconnected(visitor, now);
  }

  connected(visitor: VisitorRef): void {
    this.store.connected(visitor);
  }

  ping(): Promise<void> {
    return this.store.ping();
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private async frozenAfter<T>(call: Promise<T>): Promise<T> {
    const result = await call;
    this.store.freezeAll();
    return result;
  }
}
