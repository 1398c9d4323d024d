import type { TrackedEvent, VisitorRef } from '../events/index.js';

/** How the pipeline answers the connection a frame came from. */
export interface FrameReply {
  /** The events are applied and stored (or were already): the client may forget them. */
  ack(eventIds: readonly string[]): void;
  /** The frame could not be processed; the client keeps the events and resends. */
  fail(code: string, message: string): void;
}

/** One client message: a visitor's batch of decoded events. */
export interface Frame {
  visitor: VisitorRef;
  events: TrackedEvent[];
  receivedAt: number;
  /**
   * When the gateway read the frame off its socket (performance.now()): a pop-in it fires is timed
   * from here (tripwire_popin_seconds). Replays and backtests leave it out.
   */
  arrivedAt?: number;
  reply: FrameReply;
}
