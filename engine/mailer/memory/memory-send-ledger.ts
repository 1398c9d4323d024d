import { systemClock, type Clock } from '../../events/index.js';
import type { SendClaim, SendLedger } from '../send-ledger.js';

type Entry = { state: 'sent'; until: number } | { state: 'sending'; consumer: string; until: number };

/** The in-process SendLedger: one map, the same state machine and lease expiry as on Redis. */
export class MemorySendLedger implements SendLedger {
  private readonly clock: Clock;
  private readonly retention: number;
  private readonly entries = new Map<string, Entry>();

  constructor(options: { clock?: Clock; retention?: number } = {}) {
    this.clock = options.clock ?? systemClock;
    this.retention = options.retention ?? 30 * 86_400_000;
  }

  async begin(id: string, consumer: string, leaseMs: number): Promise<SendClaim> {
    const now = this.clock.now();
    const entry = this.live(id, now);
    if (entry === undefined) {
      this.entries.set(id, { state: 'sending', consumer, until: now + leaseMs });
      return { state: 'acquired' };
    }
    if (entry.state === 'sent') return { state: 'sent' };
    return { state: 'busy', retryInMs: entry.until - now };
  }

  async renew(id: string, consumer: string, leaseMs: number): Promise<boolean> {
    const now = this.clock.now();
    const entry = this.live(id, now);
    if (entry?.state !== 'sending' || entry.consumer !== consumer) return false;
    this.entries.set(id, { ...entry, until: now + leaseMs });
    return true;
  }

  async complete(id: string): Promise<void> {
    this.entries.set(id, { state: 'sent', until: this.clock.now() + this.retention });
  }

  async release(id: string, consumer: string): Promise<void> {
    const entry = this.live(id, this.clock.now());
    if (entry?.state === 'sending' && entry.consumer === consumer) this.entries.delete(id);
  }

  async isSent(id: string): Promise<boolean> {
    return this.live(id, this.clock.now())?.state === 'sent';
  }

  async close(): Promise<void> {}

  private live(id: string, now: number): Entry | undefined {
    const entry = this.entries.get(id);
    if (entry !== undefined && entry.until <= now) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }
}
