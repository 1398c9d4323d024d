import { isTripwireError } from '../errors.js';
import type { Logger } from '../observability/index.js';
import type { Frame } from '../pipeline/index.js';
import type { InterestIndex } from '../state/index.js';
import { interestUpdates } from './interest-updates.js';

/**
 * Keeps the interest index up to date from the frames on their way to the pipeline. The
 * index write is sent at once, before the frame enters the pipeline, so with a shared Redis
 * connection it leaves in the same write as the frame's apply: no extra round trip. The frame
 * is acked only when both are done; if the index write fails the frame fails, and the client's
 * resend (deduplicated by the store) writes the index again.
 */
export class InterestTracker {
  constructor(private readonly deps: { index: InterestIndex; logger: Logger }) {}

  track(frame: Frame): Frame {
    const updates = interestUpdates(frame.events);
    if (updates.length === 0) return frame;
    const recorded: Promise<unknown> = this.deps.index.record(frame.visitor, updates, frame.receivedAt).then(
      () => undefined,
      (error: unknown) => {
        this.deps.logger.error({ err: error, visitor: frame.visitor }, 'interest index write failed; the frame fails and will be resent');
        return error ?? new Error('interest index write failed');
      },
    );
    return {
      ...frame,
      reply: {
        ack: (ids) =>
          void recorded.then((error) => {
            if (error === undefined) frame.reply.ack(ids);
            else frame.reply.fail(isTripwireError(error) ? error.code : 'TW_STORE_UNAVAILABLE', 'the engine could not process this frame; it will be resent');
          }),
        fail: (code, message) => void recorded.then(() => frame.reply.fail(code, message)),
      },
    };
  }
}
