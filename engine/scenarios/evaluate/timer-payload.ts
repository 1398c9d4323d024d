import type { TriggerContext } from './trigger-context.js';

/**
 * What a timer carries until it fires; kept small, it lives in the store. The context is stored
 * without its scenario (the timer's scenario id gives it back at fire time); payloads stored
 * before that still carry it, and decode the same.
 */
export interface TimerPayload {
  scenario: string;
  context: StoredContext;
  /** For journey steps: the variant and the step to deliver. */
  variant?: string;
  step?: number;
  /** For journey steps: the occurrence (trigger event, or yearly date) the journey belongs to. */
  occurrence?: string;
  /** Deliveries of this timer that failed so far (the store or a channel was unavailable). */
  failures?: number;
}

export type StoredContext = Omit<TriggerContext, 'scenario'> & { scenario?: TriggerContext['scenario'] };

export const TIMER_KIND = { absence: 'absence:', date: 'date:', journey: 'journey:', deferred: 'deferred:' } as const;

export function absenceTimerId(scenarioId: string, group: string): string {
  return group === '' ? `${TIMER_KIND.absence}${scenarioId}` : `${TIMER_KIND.absence}${scenarioId}:${group}`;
}

export function dateTimerId(scenarioId: string): string {
  return `${TIMER_KIND.date}${scenarioId}`;
}

export function journeyTimerId(scenarioId: string): string {
  return `${TIMER_KIND.journey}${scenarioId}`;
}

export function encodeTimerPayload(payload: TimerPayload): string {
  const { event, props } = payload.context;
  return JSON.stringify({ ...payload, context: { event, props } });
}

/**
 * The payload of a timer armed by an event, from the event's context already encoded by
 * `encodeEventContext`: an event re-arming the timers of several scenarios encodes its context once.
 * The same text as encodeTimerPayload({ scenario, context }).
 */
export function eventTimerPayload(scenarioId: string, eventContext: string): string {
  return `{"scenario":${JSON.stringify(scenarioId)},"context":${eventContext}}`;
}

/** JSON.stringify({ event, props }) without making the two objects: it runs for most events. */
export function encodeEventContext(context: StoredContext): string {
  const { event, props } = context;
  return `{"event":{"id":${JSON.stringify(event.id)},"type":${JSON.stringify(event.type)},"time":${JSON.stringify(event.time)},"url":${JSON.stringify(event.url)}},"props":${JSON.stringify(props)}}`;
}

export function decodeTimerPayload(text: string): TimerPayload {
  return JSON.parse(text) as TimerPayload;
}

/**
 * The payload to re-arm a timer whose delivery failed with, or undefined once it has failed
 * `maxFailures` times: a timer taken from the store must not vanish because Redis blinked.
 */
export function retryTimerPayload(text: string, maxFailures: number): string | undefined {
  const payload = decodeTimerPayload(text);
  const failures = (payload.failures ?? 0) + 1;
  if (failures > maxFailures) return undefined;
  return encodeTimerPayload({ ...payload, failures });
}
