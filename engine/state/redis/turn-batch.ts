import { TripwireError } from '../../errors.js';

/** How much one script call may carry, so that one Lua run stays short. */
export interface TurnBatchLimits {
  maxItems: number;
  /** Budget of script arguments (KEYS + ARGV) per call; an item larger than it goes alone. */
  maxArgs: number;
}

/** What one call answered per item: its result, or the error that item alone failed with. */
export type ItemOutcome<Result> = { ok: true; value: Result } | { ok: false; error: unknown };

interface Pending<Item, Result> {
  item: Item;
  size: number;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * Gathers the items submitted during one event-loop turn and sends them together. The flush
 * runs in setImmediate, not a microtask: uWebSockets.js drains microtasks after every message
 * callback, so a microtask flush would send one item per socket message, while setImmediate
 * runs once after all the messages of a poll. Items past the limits go in further calls of the
 * same flush (hence in the same socket write). If a call fails as a whole, each of its items
 * rejects with that error.
 */
export class TurnBatch<Item, Result> {
  private queue: Array<Pending<Item, Result>> = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly send: (items: Item[]) => Promise<Array<ItemOutcome<Result>>>,
    private readonly limits: TurnBatchLimits,
  ) {}

  /** `size` is the item's share of the argument budget. */
  submit(item: Item, size: number): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, size, resolve, reject });
      this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /**
   * Sends what is queued now. Other commands on the connection call it first, so that Redis sees
   * commands in the order they were asked for (a claim after the apply it follows).
   */
  flush(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const queue = this.queue;
    this.queue = [];
    let start = 0;
    while (start < queue.length) {
      let end = start + 1;
      let args = queue[start]!.size;
      while (end < queue.length && end - start < this.limits.maxItems && args + queue[end]!.size <= this.limits.maxArgs) {
        args += queue[end]!.size;
        end++;
      }
      this.sendCall(queue.slice(start, end));
      start = end;
    }
  }

  private sendCall(call: Array<Pending<Item, Result>>): void {
    let sent: Promise<Array<ItemOutcome<Result>>>;
    try {
      sent = this.send(call.map((pending) => pending.item));
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (outcomes) =>
        call.forEach((pending, i) => {
          const outcome = outcomes[i];
          if (outcome === undefined) pending.reject(new TripwireError('TW_STORE_UNAVAILABLE', `Redis answered ${outcomes.length} of ${call.length} batched items; is another version of Tripwire's scripts loaded?`));
          else if (outcome.ok) pending.resolve(outcome.value);
          else pending.reject(outcome.error);
        }),
      (error: unknown) => call.forEach((pending) => pending.reject(error)),
    );
  }
}
