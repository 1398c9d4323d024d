import type { Props } from '../../events/index.js';
import type { TriggerContext } from './trigger-context.js';

/**
 * What a timer carries until it fires; kept small, it lives in the store. The context is stored
 * without its scenario (the timer's scenario id gives it back at fire time); payloads stored
 * before that still carry it, and decode the same.
 */
export interface TimerPayload {
  scenario: string;
  context: StoredContext;
  /** For journey steps: the variant and the step to deliver; for a claimed first step tried again, its variant alone. */
  variant?: string;
  step?: number;
  /**
   * For journey steps and firings tried again: the occurrence (trigger event, or yearly date) the
   * firing belongs to.
   */
  occurrence?: string;
  /** Deliveries of this timer that failed so far (the store or a channel was unavailable). */
  failures?: number;
  /** A delivery of it was interrupted after its cooldown and cap were claimed (Candidate.claimed). */
  claimed?: boolean;
  /** For a claimed firing: when its trigger row was decided (Candidate.decidedAt). */
  decidedAt?: number;
}

export type StoredContext = Omit<TriggerContext, 'scenario'> & { scenario?: TriggerContext['scenario'] };

export const TIMER_KIND = { absence: 'absence:', date: 'date:', journey: 'journey:', deferred: 'deferred:' } as const;

export function absenceTimerId(scenarioId: string, group: string): string {
  return group === '' ? `${TIMER_KIND.absence}${scenarioId}` : absenceTimerGroupPrefix(scenarioId) + group;
}

/** What every group's absence timer of a scenario starts with: `absenceTimerId(id, group)` is this + group. */
export function absenceTimerGroupPrefix(scenarioId: string): string {
  return `${TIMER_KIND.absence}${scenarioId}:`;
}

export function dateTimerId(scenarioId: string): string {
  return `${TIMER_KIND.date}${scenarioId}`;
}

/**
 * What every journey step timer of a scenario is named or starts with (`journeyStepTimerId`): one
 * `timer.cancelPrefix` of it ends the journey. Before steps had names of their own, every step
 * waited under this name itself.
 */
export function journeyTimerId(scenarioId: string): string {
  return `${TIMER_KIND.journey}${scenarioId}`;
}

/** A journey step's own timer: a step's `unless` cancels it alone. */
export function journeyStepTimerId(scenarioId: string, variantId: string, step: number): string {
  return `${journeyTimerId(scenarioId)}:${variantId}:${step}`;
}

/**
 * The stored form, short and positional because every waiting reminder of every visitor holds
 * one in the store: `{"s":scenario,"e":[event id,type,time,url],"p":props}`, plus `v` variant,
 * `n` step, `o` occurrence, `f` failures, `c` claimed, `d` decided at when set. Payloads stored in the earlier
 * `{"scenario":…,"context":{…}}` shape decode the same.
 */
interface StoredPayload {
  s: string;
  e: [id: string, type: string, time: number, url: string];
  p: Props;
  v?: string;
  n?: number;
  o?: string;
  f?: number;
  c?: 1;
  d?: number;
}

/**
 * The one writer of the stored form. A timer armed by an event has the payload
 * `timerPayloadHead(scenario) + eventPayloadTail(event)`: the head is made once per scenario, the
 * tail once per event, so an event re-arming the reminders of several scenarios costs one string
 * join each; the other members go before the closing brace.
 */
export function encodeTimerPayload(payload: TimerPayload): string {
  let members = '';
  if (payload.variant !== undefined) members += `,"v":${JSON.stringify(payload.variant)}`;
  if (payload.step !== undefined) members += `,"n":${JSON.stringify(payload.step)}`;
  if (payload.occurrence !== undefined) members += `,"o":${JSON.stringify(payload.occurrence)}`;
  if (payload.failures !== undefined) members += `,"f":${JSON.stringify(payload.failures)}`;
  if (payload.claimed === true) members += ',"c":1';
  if (payload.decidedAt !== undefined) members += `,"d":${JSON.stringify(payload.decidedAt)}`;
  const tail = eventPayloadTail(payload.context);
  return timerPayloadHead(payload.scenario) + (members === '' ? tail : `${tail.slice(0, -1)}${members}}`);
}

export function timerPayloadHead(scenarioId: string): string {
  return `{"s":${JSON.stringify(scenarioId)},`;
}

/** The event's members of a stored payload and its closing brace (`"e":[…],"p":{…}}`), without the intermediate objects: it runs for most events. */
export function eventPayloadTail(context: StoredContext): string {
  const { event, props } = context;
  return `"e":[${JSON.stringify(event.id)},${JSON.stringify(event.type)},${JSON.stringify(event.time)},${JSON.stringify(event.url)}],"p":${JSON.stringify(props)}}`;
}

export function decodeTimerPayload(text: string): TimerPayload {
  const stored = JSON.parse(text) as StoredPayload | TimerPayload;
  if ('context' in stored) return stored;
  const [id, type, time, url] = stored.e;
  const payload: TimerPayload = { scenario: stored.s, context: { event: { id, type, time, url }, props: stored.p } };
  if (stored.v !== undefined) payload.variant = stored.v;
  if (stored.n !== undefined) payload.step = stored.n;
  if (stored.o !== undefined) payload.occurrence = stored.o;
  if (stored.f !== undefined) payload.failures = stored.f;
  if (stored.c === 1) payload.claimed = true;
  if (stored.d !== undefined) payload.decidedAt = stored.d;
  return payload;
}
