export { EVENT_TYPES } from './messages.js';
export type {
  EventType,
  WireEvent,
  WireBatch,
  AckMessage,
  ErrorMessage,
  PopinMessage,
  PopinTemplate,
  ServerMessage,
} from './messages.js';
export { PATHS, WIRE_LIMITS, VISITOR_ID_PATTERN } from './limits.js';
