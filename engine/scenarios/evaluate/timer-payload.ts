import type { TriggerContext } from './trigger-context.js';

/** What an absence timer carries until it fires; kept small, it lives in the store. */
export interface TimerPayload {
  scenario: string;
  context: TriggerContext;
}

export const ABSENCE_TIMER_PREFIX = 'absence:';

export function absenceTimerId(scenarioId: string, group: string): string {
  return group === '' ? `${ABSENCE_TIMER_PREFIX}${scenarioId}` : `${ABSENCE_TIMER_PREFIX}${scenarioId}:${group}`;
}

export function encodeTimerPayload(payload: TimerPayload): string {
  return JSON.stringify(payload);
}

export function decodeTimerPayload(text: string): TimerPayload {
  return JSON.parse(text) as TimerPayload;
}
