/**
 * The wire protocol between a client (the browser tracker, or any other client)
 * and the gateway. Keys are short on purpose: they cross the network on every event.
 *
 * Client → engine (WebSocket text frame, or the body of POST /e):
 *   { "b": [WireEvent, ...] }            a batch of events
 * and, on POST only, the identity the socket URL carries otherwise:
 *   { "s": siteKey, "v": visitorId, "b": [...] }
 *
 * Engine → client:
 *   { "k": "ack", "i": [eventId, ...] }           events accepted (or already seen)
 *   { "k": "err", "c": code, "m": message, "i"?: eventId }
 *   { "k": "pop", ...PopinMessage }               show a pop-in
 */

export const EVENT_TYPES = [
  'page',
  'product',
  'category',
  'search',
  'cart_add',
  'cart_remove',
  'checkout',
  'purchase',
  'identify',
  'consent',
  'track',
  'popin_shown',
  'popin_clicked',
  'popin_dismissed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface WireEvent {
  /** Client-made id, unique per visitor; the engine drops an id it has already seen. */
  i: string;
  /** Event type. */
  t: EventType;
  /** Event time on the client, epoch milliseconds. */
  ts: number;
  /** URL of the page the event happened on. */
  u?: string;
  /** Session id (30 min of inactivity starts a new one). */
  ss?: string;
  /** Properties; which ones depends on the type (docs/tracker.md). */
  p?: Record<string, unknown>;
}

export interface WireBatch {
  b: WireEvent[];
  s?: string;
  v?: string;
}

export interface AckMessage {
  k: 'ack';
  i: string[];
}

export interface ErrorMessage {
  k: 'err';
  c: string;
  m: string;
  i?: string;
}

export type PopinTemplate = 'toast' | 'modal' | 'bar';

export interface PopinMessage {
  k: 'pop';
  /** Trigger id: the tracker reports popin_shown/clicked/dismissed with it. */
  id: string;
  /** Scenario id, for the site's own analytics. */
  s: string;
  tpl: PopinTemplate;
  title: string;
  body: string;
  image?: string;
  cta?: { label: string; url: string };
}

export type ServerMessage = AckMessage | ErrorMessage | PopinMessage;
