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
   * When the gateway read the frame off its socket or beacon (performance.now()): a pop-in it
   * fires is timed from here (tripwire_popin_seconds). Frames no client sent leave it out
   * (replays, backtests, catalogue fan-out), so their pop-ins are not timed; nor are those of due
   * timers, journey steps, deferred retries and scheduled sends, which no frame fires.
   */
  arrivedAt?: number;
  reply: FrameReply;
}
