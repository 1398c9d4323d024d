import type { Props } from '../../events/index.js';
import type { Scenario } from '../model.js';
import { scenarioTag } from './scenario-tag.js';
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

/** A payload as read back: the scenario's name is the loaded scenario's (see timerContext). */
export interface StoredTimer extends Omit<TimerPayload, 'context'> {
  event: TriggerContext['event'];
  props: Props;
}

/** Timer ids name the scenario by its tag: a visitor holds one per pending reminder. */
const TIMER_KIND = { absence: 'a:', date: 'd:', journey: 'j:', deferred: 'f:' } as const;

export function absenceTimerId(scenarioId: string, group: string): string {
  const tag = scenarioTag(scenarioId);
  return group === '' ? `${TIMER_KIND.absence}${tag}` : `${TIMER_KIND.absence}${tag}:${group}`;
}

export function dateTimerId(scenarioId: string): string {
  return `${TIMER_KIND.date}${scenarioTag(scenarioId)}`;
}

export function journeyTimerId(scenarioId: string): string {
  return `${TIMER_KIND.journey}${scenarioTag(scenarioId)}`;
}

export function deferredTimerId(scenarioId: string, occurrence: string): string {
  return `${TIMER_KIND.deferred}${scenarioTag(scenarioId)}:${occurrence}`;
}

/**
 * [scenario, event id, type, time, url, props, variant, step, occurrence, failures]: positional
 * JSON, trailing absent fields left out, the occurrence only when it is not the event's id, no
 * scenario name. A visitor's timers are most of its Redis memory: field names repeated in
 * every payload cost more than the values.
 */
type StoredForm = [string, string, string, number, string, Props, (string | null)?, (number | null)?, (string | null)?, (number | null)?];

export function encodeTimerPayload(payload: TimerPayload): string {
  const { context, ...rest } = payload;
  return encodeStored({ ...rest, event: context.event, props: context.props });
}

export function decodeTimerPayload(text: string): StoredTimer {
  const [scenario, id, type, time, url, props, variant, step, occurrence, failures] = JSON.parse(text) as StoredForm;
  return {
    scenario,
    event: { id, type, time, url },
    props,
    ...(variant == null ? {} : { variant }),
    ...(step == null ? {} : { step }),
    ...(occurrence == null ? {} : { occurrence }),
    ...(failures == null ? {} : { failures }),
  };
}

/** The context a timer's firing renders with. */
export function timerContext(stored: StoredTimer, scenario: Scenario): TriggerContext {
  return { scenario: { id: scenario.id, name: scenario.name }, event: stored.event, props: stored.props };
}

function encodeStored(stored: StoredTimer): string {
  const { event } = stored;
  const occurrence = stored.occurrence === event.id ? undefined : stored.occurrence;
  const form: unknown[] = [stored.scenario, event.id, event.type, event.time, event.url, stored.props, stored.variant, stored.step, occurrence, stored.failures];
  while (form.length > 6 && form[form.length - 1] === undefined) form.pop();
  return JSON.stringify(form.map((value) => value ?? null));
}

/**
 * The payload to re-arm a timer whose delivery failed with, or undefined once it has failed
 * `maxFailures` times: a timer taken from the store must not vanish because Redis blinked.
 */
export function retryTimerPayload(text: string, maxFailures: number): string | undefined {
  const stored = decodeTimerPayload(text);
  const failures = (stored.failures ?? 0) + 1;
  if (failures > maxFailures) return undefined;
  return encodeStored({ ...stored, failures });
}
