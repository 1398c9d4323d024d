import { isTripwireError } from '../errors.js';
import type { Logger } from '../observability/index.js';
import type { Frame } from '../pipeline/index.js';
import type { InterestIndex } from '../state/index.js';
import { interestUpdates } from './interest-updates.js';

/**
 * Keeps the interest index up to date from the frames on their way to the pipeline. The frame is
 * handed on first and its index write asked for right after, in the same turn: with a shared
 * Redis connection both leave in one write, no extra round trip, and Redis runs the frame's apply
 * first, so a pop-in it fires does not wait behind the index write. The frame is acked only when
 * both are done; if the index write fails the frame fails, and the client's resend (deduplicated
 * by the store) writes the index again.
 */
export class InterestTracker {
  constructor(private readonly deps: { index: InterestIndex; logger: Logger }) {}

  /** Hands `frame` to `next`, its reply waiting for the frame's interest to be recorded. */
  forward(frame: Frame, next: (frame: Frame) => void): void {
    const updates = interestUpdates(frame.events);
    if (updates.length === 0) return next(frame);
    let record!: () => void;
    const recorded = new Promise<unknown>((resolve) => {
      record = () => resolve(this.deps.index.record(frame.visitor, updates, frame.receivedAt).then(() => undefined, (error: unknown) => this.failed(frame, error)));
    });
    next({
      ...frame,
      reply: {
        ack: (ids) =>
          void recorded.then((error) => {
            if (error === undefined) frame.reply.ack(ids);
            else frame.reply.fail(isTripwireError(error) ? error.code : 'TW_STORE_UNAVAILABLE', 'the engine could not process this frame; it will be resent');
          }),
        fail: (code, message) => void recorded.then(() => frame.reply.fail(code, message)),
      },
    });
    record();
  }

  private failed(frame: Frame, error: unknown): unknown {
    this.deps.logger.error({ err: error, visitor: frame.visitor }, 'interest index write failed; the frame fails and will be resent');
    return error ?? new Error('interest index write failed');
  }
}
