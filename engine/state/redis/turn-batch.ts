import { TripwireError } from '../../errors.js';

/** How much one script call may carry, so that one Lua run stays short. */
export interface TurnBatchLimits {
  maxItems: number;
  /** Budget of script arguments (KEYS + ARGV) per call; an item larger than it goes alone. */
  maxArgs: number;
}

/** A turn's frames (or interest records) in calls of at most 256 items and 16k arguments. */
export const DEFAULT_TURN_BATCH_LIMITS: TurnBatchLimits = { maxItems: 256, maxArgs: 16_384 };

/**
 * What a batch gathers. `turn`: every item submitted until setImmediate, for callers driven by
 * socket messages. `run`: the items of one synchronous run, flushed in a microtask, for callers
 * that already submit a whole batch at once (the pipeline processes a turn's frames together):
 * it saves them a turn of the event loop before the call leaves.
 */
export type TurnBatchGathering = 'turn' | 'run';

/** What one call answered per item: its result, or the error that item alone failed with. */
export type ItemOutcome<Result> = { ok: true; value: Result } | { ok: false; error: unknown };

interface Pending<Item, Result> {
  item: Item;
  size: number;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * Gathers the items submitted together and sends them in one call. Gathering a `turn` flushes in
 * setImmediate, not a microtask: uWebSockets.js drains microtasks after every message callback,
 * so a microtask flush would send one item per socket message, while setImmediate runs once
 * after all the messages of a poll. Items past the limits go in further calls of the same flush
 * (hence in the same socket write). If a call fails as a whole, each of its items rejects with
 * that error.
 */
export class TurnBatch<Item, Result> {
  private queue: Array<Pending<Item, Result>> = [];
  /** A flush is scheduled; `immediate` holds it when gathering a turn, to cancel on an early flush. */
  private scheduled = false;
  private immediate: NodeJS.Immediate | undefined;
  private readonly flushScheduled = (): void => {
    if (this.scheduled) this.flush();
  };

  constructor(
    private readonly send: (items: Item[]) => Promise<Array<ItemOutcome<Result>>>,
    private readonly limits: TurnBatchLimits,
    private readonly gathering: TurnBatchGathering = 'turn',
  ) {}

  /** `size` is the item's share of the argument budget. */
  submit(item: Item, size: number): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, size, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      if (this.gathering === 'run') queueMicrotask(this.flushScheduled);
      else this.immediate = setImmediate(this.flushScheduled);
    });
  }

  /**
   * Sends what is queued now. Other commands on the connection call it first, so that Redis sees
   * commands in the order they were asked for (a claim after the apply it follows).
   */
  flush(): void {
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
    this.scheduled = false;
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
