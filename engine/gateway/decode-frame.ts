import type { Props, PropValue, TrackedEvent, VisitorRef } from '../events/index.js';
import { ENGINE_EVENT_TYPES, EVENT_TYPES, WIRE_LIMITS, isPlainEmailAddress, stockStatus, type EventType } from '../protocol/index.js';
import type { ErrorCode } from '../errors.js';

export interface DecodeLimits {
  maxEventsPerFrame: number;
  /** Event times (corrected by the frame's clock offset) further in the future than this are replaced by the arrival time. */
  maxClockSkew: number;
  /** Event times (corrected by the frame's clock offset) older than this, before arrival, are replaced by the arrival time. */
  maxEventAge: number;
}

export interface EventProblem {
  code: ErrorCode;
  message: string;
  eventId: string | undefined;
}

export type DecodedFrame =
  | {
      ok: true;
      events: TrackedEvent[];
      problems: EventProblem[];
      site: unknown;
      visitor: unknown;
      /** How far the device's clock was behind the engine's when it sent the frame (ms), from `st`; undefined without a usable `st`. */
      clockOffset: number | undefined;
    }
  | { ok: false; problem: EventProblem };

const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);
const ENGINE_TYPES: ReadonlySet<string> = new Set(ENGINE_EVENT_TYPES);
const MAX_DEPTH = 3;

/** Properties each event type must carry, with their JSON type. */
const REQUIRED: Partial<Record<EventType, ReadonlyArray<[string, 'string' | 'id']>>> = {
  product: [['id', 'id']],
  category: [['id', 'id']],
  search: [['q', 'string']],
  cart_add: [['id', 'id']],
  cart_remove: [['id', 'id']],
  track: [['name', 'string']],
  popin_shown: [['trigger', 'string']],
  popin_clicked: [['trigger', 'string']],
  popin_dismissed: [['trigger', 'string']],
};

const NUMERIC = ['price', 'value', 'qty'] as const;

/**
 * Decodes one client frame. A frame-level problem rejects the whole frame; an event-level
 * problem rejects that event only, and the others go on. Nothing here trusts the client: every
 * string is bounded, every number finite, nesting shallow.
 */
export function decodeFrame(text: string, visitor: VisitorRef | undefined, receivedAt: number, limits: DecodeLimits): DecodedFrame {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return reject('TW_BAD_JSON', `the frame is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(body) || !Array.isArray(body.b)) return reject('TW_BAD_FRAME', 'a frame is an object with "b", an array of events');
  if (body.b.length > limits.maxEventsPerFrame) {
    return reject('TW_TOO_MANY_EVENTS', `the frame has ${body.b.length} events; at most ${limits.maxEventsPerFrame} are allowed`);
  }
  const site = visitor?.site ?? body.s;
  const visitorId = visitor?.visitor ?? body.v;
  const clockOffset = isSentTime(body.st) ? receivedAt - body.st : undefined;
  const offset = clockOffset ?? 0;
  const events: TrackedEvent[] = [];
  const problems: EventProblem[] = [];
  for (const raw of body.b) {
    const decoded = decodeEvent(raw, String(site), String(visitorId), receivedAt, offset, limits);
    if ('code' in decoded) problems.push(decoded);
    else events.push(decoded);
  }
  return { ok: true, events, problems, site: body.s, visitor: body.v, clockOffset };
}

/**
 * Any epoch time a device clock can show, however wrong (one reset to 1970 included): the bounds
 * judge the corrected times. What no clock shows (not a number, negative, past what a double holds
 * exactly) says nothing of the device's clock, and its events keep their own times.
 */
function isSentTime(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER;
}

function decodeEvent(raw: unknown, site: string, visitor: string, receivedAt: number, clockOffset: number, limits: DecodeLimits): TrackedEvent | EventProblem {
  if (!isObject(raw)) return problem('TW_BAD_EVENT', 'an event is an object', undefined);
  const id = raw.i;
  if (typeof id !== 'string' || id.length === 0 || id.length > WIRE_LIMITS.idMaxLength) {
    return problem('TW_BAD_EVENT', `"i" must be a string of 1-${WIRE_LIMITS.idMaxLength} characters`, undefined);
  }
  const type = raw.t;
  if (typeof type !== 'string') return problem('TW_BAD_EVENT', '"t" (event type) must be a string', id);
  if (ENGINE_TYPES.has(type)) return problem('TW_UNKNOWN_EVENT', `"${type}" events are made by the engine from the catalogue feed; clients cannot send them`, id);
  if (!KNOWN_TYPES.has(type)) return problem('TW_UNKNOWN_EVENT', `unknown event type "${type.slice(0, 40)}"`, id);
  if (typeof raw.ts !== 'number' || !Number.isFinite(raw.ts)) return problem('TW_BAD_EVENT', '"ts" must be a number (epoch ms)', id);
  if (raw.u !== undefined && !isBoundedString(raw.u)) return problem('TW_BAD_EVENT', '"u" must be a URL string', id);
  if (raw.ss !== undefined && (typeof raw.ss !== 'string' || raw.ss.length > WIRE_LIMITS.idMaxLength)) {
    return problem('TW_BAD_EVENT', '"ss" must be a session id string', id);
  }
  const props = raw.p === undefined ? {} : raw.p;
  if (!isObject(props)) return problem('TW_BAD_EVENT', '"p" must be an object', id);
  keepFirstOrderLines(type as EventType, props);
  const invalid = validateProps(type as EventType, props) ?? normaliseStock(type as EventType, props);
  if (invalid !== undefined) return problem('TW_BAD_EVENT', invalid, id);
  return {
    id,
    site,
    visitor,
    session: (raw.ss as string | undefined) ?? '',
    type: type as EventType,
    time: eventTime(raw.ts + clockOffset, receivedAt, limits),
    receivedAt,
    url: (raw.u as string | undefined) ?? '',
    props: props as Props,
  };
}

/**
 * See docs/scenarios.md, "Event time": `time` is the client's timestamp moved by the frame's clock
 * offset, so a device's wrong clock cancels out while a queued event keeps its age, and it is
 * trusted within bounds only.
 */
function eventTime(time: number, receivedAt: number, limits: DecodeLimits): number {
  if (time > receivedAt + limits.maxClockSkew || time < receivedAt - limits.maxEventAge) return receivedAt;
  return Math.floor(time);
}

/** Plain loops, no Object.entries or closures: it runs for every property of every event. */
function validateProps(type: EventType, props: Record<string, unknown>): string | undefined {
  let count = 0;
  let invalid: string | undefined;
  for (const key in props) {
    // Past the bound only the count matters (it is reported first): no deep checks for a flood of keys.
    if (++count > WIRE_LIMITS.maxProps || invalid !== undefined) continue;
    if (!isPropValue(props[key], 0)) invalid = key;
  }
  if (count > WIRE_LIMITS.maxProps) return `"p" has ${count} properties; at most ${WIRE_LIMITS.maxProps}`;
  if (invalid !== undefined) return `property "${invalid.slice(0, 40)}" has an unsupported value (too long, too deep, or not JSON data)`;
  const required = REQUIRED[type];
  if (required !== undefined) {
    for (let i = 0; i < required.length; i++) {
      const [name, kind] = required[i]!;
      const value = props[name];
      const ok = kind === 'string' ? typeof value === 'string' && value !== '' : (typeof value === 'string' && value !== '') || typeof value === 'number';
      if (!ok) return `a ${type} event needs "p.${name}" (${kind === 'id' ? 'a string or number id' : 'a non-empty string'})`;
    }
  }
  for (let i = 0; i < NUMERIC.length; i++) {
    const name = NUMERIC[i]!;
    if (props[name] !== undefined && typeof props[name] !== 'number') return `"p.${name}" must be a number`;
  }
  if (type === 'identify' && props.email !== undefined && !(typeof props.email === 'string' && isPlainEmailAddress(props.email.trim()))) {
    return 'an identify\'s "p.email" must be exactly one plain address (name@domain): no list, no display name, no angle brackets';
  }
  return undefined;
}

/**
 * An order of more than maxItems lines keeps its first ones and says how many it left out, as the
 * tracker's GA4 capture does: refusing it would lose the order and its conversion, and the bound
 * is there for the work per event (each line checked, each bought line two interest updates).
 */
function keepFirstOrderLines(type: EventType, props: Record<string, unknown>): void {
  if (type !== 'purchase' && type !== 'checkout') return;
  const items = props.items;
  if (!Array.isArray(items) || items.length <= WIRE_LIMITS.maxItems) return;
  props.items = items.slice(0, WIRE_LIMITS.maxItems);
  props.items_cut = items.length - WIRE_LIMITS.maxItems;
}

/**
 * A product's stock arrives as a status, a quantity or a boolean (pages say it in all three ways)
 * and leaves as a status (protocol/stock.ts), so one scenario condition, `stock: out_of_stock`,
 * holds for every page and for the catalogue feed alike.
 */
function normaliseStock(type: EventType, props: Record<string, unknown>): string | undefined {
  if (type !== 'product' || props.stock === undefined || props.stock === null) return undefined;
  const stock = stockStatus(props.stock);
  if (stock === undefined) return '"p.stock" must be "in_stock", "out_of_stock", a schema.org availability such as "InStock", a quantity or true/false';
  props.stock = stock;
  return undefined;
}

function isPropValue(value: unknown, depth: number): value is PropValue {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
      return value.length <= WIRE_LIMITS.stringMaxLength;
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    if (value.length > WIRE_LIMITS.maxItems) return false;
    for (let i = 0; i < value.length; i++) if (!isPropValue(value[i], depth + 1)) return false;
    return true;
  }
  let count = 0;
  for (const key in value) {
    if (++count > WIRE_LIMITS.maxProps) return false;
    if (!isPropValue((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

function isBoundedString(value: unknown): value is string {
  return typeof value === 'string' && value.length <= WIRE_LIMITS.stringMaxLength;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function problem(code: ErrorCode, message: string, eventId: string | undefined): EventProblem {
  return { code, message, eventId };
}

function reject(code: ErrorCode, message: string): DecodedFrame {
  return { ok: false, problem: problem(code, message, undefined) };
}
