export { EVENT_TYPES, ENGINE_EVENT_TYPES, FRAME_REFUSALS } from './messages.js';
export type {
  EventType,
  ClientEventType,
  EngineEventType,
  WireEvent,
  WireBatch,
  AckMessage,
  BeaconAnswer,
  ErrorMessage,
  PopinMessage,
  PopinTemplate,
  PopinForm,
  EmailForm,
  SurveyForm,
  ServerMessage,
} from './messages.js';
export { PATHS, SOCKET_PATH, BEACON_PATH, VISITOR_COOKIE_PATH, MAX_ITEMS, WIRE_LIMITS, VISITOR_ID_PATTERN } from './limits.js';
export { STOCK_STATUSES, stockStatus, type StockStatus } from './stock.js';
export { isPlainEmailAddress } from './email-address.js';
export { isSafeLink } from './safe-link.js';
