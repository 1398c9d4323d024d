import type { TrackedEvent } from '../../events/index.js';
import type { StateOp } from '../../state/index.js';
import type { EventMatcher, Scenario } from '../model.js';
import { matchesEvent } from './event-matcher.js';
import { absenceTimerId, journeyStepTimerId, journeyTimerId } from './timer-payload.js';

/**
 * What ends a scenario's pending timers: `exit` its journey and its absence reminders. Each
 * timer is stopped only by an event made during its wait (its due, minus the wait, is at or
 * before the event's time): an event the tracker resent late, made before the journey started
 * or before the cart add its reminder is about, stops nothing.
 */
export interface Stops {
  exit: EventMatcher | undefined;
  /** The absence reminders' timers (absenceTimerId: every group's starts with it) and their wait. */
  absence: { prefix: string; within: number } | undefined;
  /** Undefined when no variant has a step after the first. */
  journey: JourneyStops | undefined;
}

/** What ends a journey: reaching the `goal` (a conversion) all of it, a step's `unless` that step's timer alone. */
export interface JourneyStops {
  /** journeyTimerId: the one name all steps once shared, whatever their wait. */
  shared: string;
  /** Every step timer of the scenario (journeyStepTimerId), with the wait before its step. */
  steps: StepTimer[];
  goal: EventMatcher | undefined;
  unless: Array<StepTimer & { matcher: EventMatcher }>;
}

interface StepTimer {
  timer: string;
  wait: number;
}

export function stopsOf(scenario: Scenario): Stops {
  const trigger = scenario.trigger;
  return {
    exit: scenario.exit,
    absence: trigger.kind === 'absence' ? { prefix: absenceTimerId(scenario.id, ''), within: trigger.within } : undefined,
    journey: scenario.variants.some((variant) => variant.steps.length > 1) ? journeyStopsOf(scenario) : undefined,
  };
}

function journeyStopsOf(scenario: Scenario): JourneyStops {
  const steps: StepTimer[] = [];
  const unless: JourneyStops['unless'] = [];
  for (const variant of scenario.variants) {
    variant.steps.forEach((step, i) => {
      if (i === 0) return;
      const timer = { timer: journeyStepTimerId(scenario.id, variant.id, i), wait: step.wait };
      steps.push(timer);
      if (step.unless !== undefined) unless.push({ ...timer, matcher: step.unless });
    });
  }
  return { shared: journeyTimerId(scenario.id), steps, goal: scenario.goal?.match, unless };
}

/**
 * An exit ends the scenario for the visitor: its journey and every pending reminder, whatever its
 * group (one op for the reminders, whatever the number of groups). Reaching the goal ends the
 * journey: a converted visitor is not sent its remaining steps; a reminder not yet fired is no
 * conversion's, and stays. A step's `unless` stops that step, so the journey, only while that
 * step waits: earlier, its timer is not armed yet (or, for a late event, armed after the event),
 * and the cancel leaves it.
 */
export function planStop(stops: Stops, event: TrackedEvent, ops: StateOp[]): void {
  const { journey } = stops;
  if (stops.exit !== undefined && matchesEvent(stops.exit, event)) {
    if (journey !== undefined) cancelJourney(journey, event, ops);
    if (stops.absence !== undefined) ops.push({ kind: 'timer.cancelPrefix', prefix: stops.absence.prefix, dueBy: event.time + stops.absence.within });
    return;
  }
  if (journey === undefined) return;
  if (journey.goal !== undefined && matchesEvent(journey.goal, event)) {
    cancelJourney(journey, event, ops);
    return;
  }
  let stopped = false;
  for (const step of journey.unless) {
    if (!matchesEvent(step.matcher, event)) continue;
    ops.push({ kind: 'timer.cancel', timer: step.timer, dueBy: event.time + step.wait });
    stopped = true;
  }
  // A journey armed before steps had timers of their own waits under the shared name, whatever
  // its step (so whatever its wait): stopped, it may lose a step an `unless` did not name, rather
  // than send one after it.
  if (stopped) ops.push({ kind: 'timer.cancel', timer: journey.shared });
}

/** Every step's timer, each if its wait started by the event; and the name steps once shared. */
function cancelJourney(journey: JourneyStops, event: TrackedEvent, ops: StateOp[]): void {
  for (const step of journey.steps) ops.push({ kind: 'timer.cancel', timer: step.timer, dueBy: event.time + step.wait });
  ops.push({ kind: 'timer.cancel', timer: journey.shared });
}
