/**
 * The wire protocol between a client (the browser tracker, or any other client)
 * and the gateway. Keys are short on purpose: they cross the network on every event.
 *
 * Client → engine (WebSocket text frame, or the body of POST /e):
 *   { "b": [WireEvent, ...], "st": sentAt }     a batch of events, and the client's clock when it sent them
 * and, on POST only, the identity the socket URL carries otherwise:
 *   { "s": siteKey, "v": visitorId, "b": [...], "st": sentAt }
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
  'exit_intent',
] as const;

export type ClientEventType = (typeof EVENT_TYPES)[number];

/**
 * Events the engine makes itself (a catalogue change fanned out to interested visitors, see
 * docs/catalogue.md). Scenarios name them like any event; the gateway refuses them from clients,
 * so a visitor cannot claim a price drop.
 */
export const ENGINE_EVENT_TYPES = ['price_drop', 'back_in_stock'] as const;

export type EngineEventType = (typeof ENGINE_EVENT_TYPES)[number];

export type EventType = ClientEventType | EngineEventType;

export interface WireEvent {
  /** Client-made id, unique per visitor; the engine drops an id it has already seen. */
  i: string;
  /** Event type (the gateway refuses ENGINE_EVENT_TYPES). */
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
  /**
   * The client's clock (epoch ms) when this frame was sent, not when its events were queued: the
   * engine moves each event's `ts` by how far that clock is from its own (docs/scenarios.md,
   * "Event time"). Per frame, as a frame may be resent long after its connection opened, on a
   * clock corrected meanwhile. Without it, `ts` is taken as it is, within bounds.
   */
  st?: number;
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
  /** A form inside the pop-in (tracker chunk tw-form.js): its answer comes back as identify/consent events. */
  form?: PopinForm;
}

/**
 * Email capture: on submit the tracker sends identify {email} (unverified), and consent
 * {email: true, wording: consent, page} only when the visitor ticked the (unticked) box.
 */
export interface EmailForm {
  kind: 'email';
  /** The field's label, e.g. "Email". */
  label: string;
  /** The consent checkbox's wording, recorded with the opt-in. */
  consent: string;
  submit: string;
  /** Shown once submitted; without it the pop-in closes. */
  thanks?: string;
}

/** A one-question survey: the chosen option becomes the visitor trait `trait` (identify {traits}). */
export interface SurveyForm {
  kind: 'survey';
  trait: string;
  question: string;
  /** 2-5 answers, each a button. */
  options: string[];
  thanks?: string;
}

export type PopinForm = EmailForm | SurveyForm;

export type ServerMessage = AckMessage | ErrorMessage | PopinMessage;

/** The answer to POST /e: the ack with the errors of the events it rejected, or the frame's error. */
export type BeaconAnswer = (AckMessage | ErrorMessage) & { err?: ErrorMessage[] };

/**
 * The codes of an error without `i` that refuse the frame, or its sender, for what it is
 * (TW_BAD_JSON, TW_BAD_FRAME, TW_FRAME_TOO_LARGE, TW_TOO_MANY_EVENTS, TW_UNKNOWN_SITE,
 * TW_BAD_VISITOR): resending it unchanged cannot succeed. Any other error without `i` is the
 * engine failing the frame as a whole (TW_STORE_UNAVAILABLE, TW_SHUTTING_DOWN...), or
 * TW_BACKPRESSURE: the frame's events are to be resent. A pattern, not a list, for tw.js's byte
 * budget; messages.test.ts checks it against every code engine/errors.ts defines.
 */
export const FRAME_REFUSALS = /BAD|TOO|SITE/;
