import type { TrackedEvent } from '../../events/index.js';
import type { DateTrigger, Scenario } from '../model.js';
import { PROFILE } from './visitor-model.js';

const DAY = 24 * 3600_000;
/**
 * Two occurrences of one yearly trigger closer than this are one year's: one date in two time
 * zones is at most 26 hours apart, two years' occurrences at least 363 days.
 */
export const SAME_YEAR = 183 * DAY;
const MEAN_YEAR = 365.2425 * DAY;

/**
 * An identify of a frame that brings a yearly scenario's date trait or a time zone. Its timer is
 * armed once the store ran the frame, from the visitor's profile: an identify may bring one of
 * the two, and the other is what an earlier identify brought.
 */
export interface YearlyArming {
  scenario: Scenario;
  trigger: DateTrigger;
  event: TrackedEvent;
}

export function bringsYearlyTraits(event: TrackedEvent, trigger: DateTrigger): boolean {
  const traits = event.props.traits;
  if (traits === null || typeof traits !== 'object' || Array.isArray(traits)) return false;
  return Object.hasOwn(traits, trigger.trait) || Object.hasOwn(traits, 'timezone');
}

/** The visitor's traits as identified so far, each as the last identify that carried it gave it. */
export function identifiedTraits(profile: Record<string, string>): Record<string, string> {
  const traits: Record<string, string> = {};
  for (const [field, value] of Object.entries(profile)) {
    if (field.startsWith(PROFILE.traitPrefix)) traits[field.slice(PROFILE.traitPrefix.length)] = value;
  }
  return traits;
}

/** The profile field holding the due time of the occurrence an identify last armed for the scenario. */
export function yearlyArmedField(scenarioId: string): string {
  return PROFILE.yearlyArmedPrefix + scenarioId;
}

/**
 * The time after which an identify at `at` arms the next occurrence. `armed` is the due time an
 * identify armed last: once it came due, that occurrence and one a year after it each time
 * (the timer arms the next when one comes due) are past, and none of those years fires again,
 * whatever the new date or time zone says.
 */
export function yearlyFloor(at: number, armed: number | undefined): number {
  if (armed === undefined || !Number.isFinite(armed) || armed > at) return at;
  const lastDue = armed + Math.floor((at - armed) / MEAN_YEAR) * MEAN_YEAR;
  return Math.max(at, lastDue + SAME_YEAR);
}
