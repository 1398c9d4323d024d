import type { TriggerContext } from './trigger-context.js';

/** What a timer carries until it fires; kept small, it lives in the store. */
export interface TimerPayload {
  scenario: string;
  context: TriggerContext;
  /** For journey steps: the variant and the step to deliver. */
  variant?: string;
  step?: number;
  /** For journey steps: the occurrence (trigger event, or yearly date) the journey belongs to. */
  occurrence?: string;
  /** Deliveries of this timer that failed so far (the store or a channel was unavailable). */
  failures?: number;
}

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
  return JSON.stringify(payload);
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
