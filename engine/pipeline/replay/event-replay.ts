import type { ManualClock, TrackedEvent } from '../../events/index.js';
import type { Frame } from '../frame.js';
import type { TriggerPipeline } from '../trigger-pipeline.js';

/**
 * Feeds a recorded stream through the live pipeline in event-time order, on a virtual clock:
 * before each event, the timers due by then fire at their due times. Backtests and the
 * scenario specifications run the engine's own code this way, not a second implementation.
 */
export class EventReplay {
  constructor(
    private readonly pipeline: TriggerPipeline,
    private readonly clock: ManualClock,
  ) {}

  async event(event: TrackedEvent): Promise<void> {
    await this.advanceTo(event.time);
    let failure: string | undefined;
    const frame: Frame = {
      visitor: { site: event.site, visitor: event.visitor },
      events: [event],
      receivedAt: event.time,
      reply: {
        ack: () => undefined,
        fail: (code, message) => {
          failure = `${code}: ${message}`;
        },
      },
    };
    await this.pipeline.process(frame);
    if (failure !== undefined) throw new Error(`replaying event ${event.id} failed: ${failure}`);
  }

  /** Moves virtual time forward, firing every timer due by `time` with the clock at its due time. */
  async advanceTo(time: number): Promise<void> {
    await this.pipeline.fireDueTimers(time, (due) => {
      if (due > this.clock.now()) this.clock.set(due);
    });
    if (time > this.clock.now()) this.clock.set(time);
  }
}
