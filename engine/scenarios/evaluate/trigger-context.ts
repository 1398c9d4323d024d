import type { Props, TrackedEvent } from '../../events/index.js';
import type { ResultCondition } from '../../state/index.js';
import type { Scenario } from '../model.js';

/** What a template can read about the moment a scenario fired. The pipeline adds visitor, cart and site. */
export interface TriggerContext {
  scenario: { id: string; name: string };
  event: { id: string; type: string; time: number; url: string };
  /** Properties of the triggering event (the product viewed, the search, the cart line...). */
  props: Props;
}

export function triggerContext(scenario: Scenario, event: TrackedEvent): TriggerContext {
  return {
    scenario: { id: scenario.id, name: scenario.name },
    event: { id: event.id, type: event.type, time: event.time, url: event.url },
    props: event.props,
  };
}

/** A scenario that fired for a visitor, before policies decide whether it is delivered. */
export interface Candidate {
  scenario: Scenario;
  /** Identifies the occurrence: the triggering event's id, with `#<step>` for later journey steps. */
  eventId: string;
  /**
   * The time the firing stands for: the event's time, or the timer's due time (a retry's, for a
   * firing tried again). Not when the engine fires it: an event resent late keeps its own time,
   * while its cooldown and cap count from when it is claimed (the store's now), a journey's next
   * step waits from when this one is handed over, and its trigger row and its message's
   * `trigger.time` carry when it was decided.
   */
  time: number;
  context: TriggerContext;
  /**
   * The variant chosen at the first step, for a journey's later step or a claimed first step tried
   * again (undefined: drawn at screening); and the step to deliver.
   */
  variant: string | undefined;
  step: number;
  /**
   * Its cooldown and cap were claimed for it already: a firing whose delivery was interrupted after
   * its claim, tried again. Claiming again, it would meet its own cooldown and be lost.
   */
  claimed: boolean;
  /**
   * For a claimed firing: when its trigger row was decided, which its message carries as
   * `trigger.time` at every try. Undefined for a firing parked by a build that did not keep it: its
   * message then carries the time of the try that delivers it.
   */
  decidedAt?: number;
  /** Deliveries of this firing that failed so far: 0 but for a firing tried again. */
  failures: number;
}

/**
 * A candidate a frame makes if the result of one of its ops meets a condition (a count
 * crossing): one of the evaluator's probes, before the store ran the frame.
 */
export interface Prospect extends ResultCondition {
  scenario: Scenario;
  eventId: string;
}
