import type { TrackedEvent } from '../../events/index.js';
import type { StateOp } from '../../state/index.js';
import type { EventMatcher, Scenario } from '../model.js';
import { matchesEvent } from './event-matcher.js';
import { absenceTimerId, journeyStepTimerId, journeyTimerId } from './timer-payload.js';

/** What ends a scenario's pending timers: `exit` its journey and its absence reminders. */
export interface Stops {
  exit: EventMatcher | undefined;
  absenceTimerPrefix: string | undefined;
  /** Undefined when no variant has a step after the first. */
  journey: JourneyStops | undefined;
}

/** What ends a journey: reaching the `goal` (a conversion) all of it, a step's `unless` that step's timer alone. */
export interface JourneyStops {
  /** journeyTimerId: every step timer of the scenario, and the one name all steps once shared. */
  timers: string;
  goal: EventMatcher | undefined;
  unless: Array<{ matcher: EventMatcher; timer: string }>;
}

export function stopsOf(scenario: Scenario): Stops {
  return {
    exit: scenario.exit,
    absenceTimerPrefix: scenario.trigger.kind === 'absence' ? absenceTimerId(scenario.id, '') : undefined,
    journey: scenario.variants.some((variant) => variant.steps.length > 1) ? journeyStopsOf(scenario) : undefined,
  };
}

function journeyStopsOf(scenario: Scenario): JourneyStops {
  const unless: JourneyStops['unless'] = [];
  for (const variant of scenario.variants) {
    variant.steps.forEach((step, i) => {
      if (step.unless !== undefined) unless.push({ matcher: step.unless, timer: journeyStepTimerId(scenario.id, variant.id, i) });
    });
  }
  return { timers: journeyTimerId(scenario.id), goal: scenario.goal?.match, unless };
}

/**
 * An exit ends the scenario for the visitor: its journey and every pending reminder, whatever its
 * group (one op, whatever the number of groups). Reaching the goal ends the journey: a converted
 * visitor is not sent its remaining steps; a reminder not yet fired is no conversion's, and stays.
 * A step's `unless` stops that step, so the journey, only while that step waits: earlier, its
 * timer is not armed yet, and the cancel finds nothing.
 */
export function planStop(stops: Stops, event: TrackedEvent, ops: StateOp[]): void {
  const { journey } = stops;
  if (stops.exit !== undefined && matchesEvent(stops.exit, event)) {
    if (journey !== undefined) ops.push({ kind: 'timer.cancelPrefix', prefix: journey.timers });
    if (stops.absenceTimerPrefix !== undefined) ops.push({ kind: 'timer.cancelPrefix', prefix: stops.absenceTimerPrefix });
    return;
  }
  if (journey === undefined) return;
  if (journey.goal !== undefined && matchesEvent(journey.goal, event)) {
    ops.push({ kind: 'timer.cancelPrefix', prefix: journey.timers });
    return;
  }
  let stopped = false;
  for (const step of journey.unless) {
    if (!matchesEvent(step.matcher, event)) continue;
    ops.push({ kind: 'timer.cancel', timer: step.timer });
    stopped = true;
  }
  // A journey armed before steps had timers of their own waits under the shared name, whatever
  // its step: stopped, it may lose a step an `unless` did not name, rather than send one after it.
  if (stopped) ops.push({ kind: 'timer.cancel', timer: journey.timers });
}
