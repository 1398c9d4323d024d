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
    await this.frame([event]);
  }

  /**
   * Several events of one visitor in one frame, as a tracker batches them, arriving at the last
   * one's time.
   */
  async frame(events: TrackedEvent[]): Promise<void> {
    const last = events[events.length - 1]!;
    await this.advanceTo(last.time);
    let failure: string | undefined;
    const frame: Frame = {
      visitor: { site: last.site, visitor: last.visitor },
      events,
      receivedAt: last.time,
      reply: {
        ack: () => undefined,
        fail: (code, message) => {
          failure = `${code}: ${message}`;
        },
      },
    };
    await this.pipeline.process(frame);
    if (failure !== undefined) throw new Error(`replaying the frame of event ${last.id} failed: ${failure}`);
  }

  /** Moves virtual time forward, firing every timer due by `time` with the clock at its due time. */
  async advanceTo(time: number): Promise<void> {
    await this.pipeline.fireDueTimers(time, (due) => {
      if (due > this.clock.now()) this.clock.set(due);
    });
    if (time > this.clock.now()) this.clock.set(time);
  }
}
