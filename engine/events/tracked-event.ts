import type { EventType } from '../protocol/index.js';

export type PropValue = string | number | boolean | null | PropValue[] | { [key: string]: PropValue };
export type Props = Record<string, PropValue>;

/** An event as the engine knows it once the gateway has decoded and validated it. */
export interface TrackedEvent {
  id: string;
  site: string;
  visitor: string;
  session: string;
  type: EventType;
  /** Event time: the client's time clamped to the arrival time (see docs, "Event time"). */
  time: number;
  receivedAt: number;
  url: string;
  props: Props;
}

/** The visitor a piece of state belongs to: one site's one browser (or one identified person). */
export interface VisitorRef {
  site: string;
  visitor: string;
}
