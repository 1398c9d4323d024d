import type { WireEvent } from '../../engine/protocol/index.js';

/**
 * One line of a recorded event stream (NDJSON): a wire event as the tracker sends it, plus the
 * visitor (and optionally the site) that the socket URL would carry.
 */
export interface RecordedEvent extends WireEvent {
  v: string;
  s?: string;
}
