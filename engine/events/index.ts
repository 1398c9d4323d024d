export type { TrackedEvent, VisitorRef, Props, PropValue } from './tracked-event.js';
export type { Clock } from './clock.js';
export { systemClock, ManualClock } from './clock.js';
export { parseDuration, duration } from './duration.js';
export { withinDeadline } from './deadline.js';
