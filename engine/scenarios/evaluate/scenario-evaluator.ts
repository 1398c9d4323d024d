import type { TrackedEvent, VisitorRef } from '../../events/index.js';
import type { EventType } from '../../protocol/index.js';
import { resultMeets, type ApplyResult, type DueTimer, type EventOps, type ResultCondition, type StateOp, type TimerArmOp } from '../../state/index.js';
import type { AbsenceTrigger, CountTrigger, DateTrigger, Scenario, SequenceTrigger } from '../model.js';
import { groupValue, matchesEvent } from './event-matcher.js';
import { nextAnniversary } from './next-date.js';
import {
  TIMER_KIND,
  absenceTimerGroupPrefix,
  absenceTimerId,
  dateTimerId,
  decodeTimerPayload,
  encodeTimerPayload,
  eventPayloadTail,
  journeyStepTimerId,
  journeyTimerId,
  timerPayloadHead,
  type StoredContext,
  type TimerPayload,
} from './timer-payload.js';
import { triggerContext, type Candidate, type Prospect, type TriggerContext } from './trigger-context.js';
import { visitorOps } from './visitor-model.js';
import { planStop, stopsOf, type Stops } from './scenario-stops.js';
import { isTimeZone } from '../time-zone.js';
import { bringsYearlyTraits, identifiedTraits, yearlyArmedField, yearlyFloor, type YearlyArming } from './yearly-date.js';

/**
 * A store result to read back after the store ran the frame: a count crossing (count triggers
 * fire once per crossing: `equals`) or a sequence match (at least one earlier `first`).
 */
interface Probe extends ResultCondition {
  scenario: Scenario;
}

export interface FramePlan {
  visitor: VisitorRef;
  events: readonly TrackedEvent[];
  /** What the store must run, one entry per event, in order. */
  ops: EventOps[];
  probes: Probe[];
  /** Identifies that arm a yearly timer once the store ran the frame (yearlyArms). */
  yearly: YearlyArming[];
}

/**
 * Hooks run in this order for an event: reads and cancellations before writes, so an event that is
 * both a sequence's `first` and `then`, or both an absence's `missing` and `after`, sees the state
 * from before itself, then re-arms. A hook carries the scenario's key and timer names made once,
 * so an event costs one string join per key instead of a template of several parts.
 */
type Hook =
  | { role: 'count'; scenario: Scenario; trigger: CountTrigger; windowPrefix: string }
  | { role: 'sequence.then' | 'sequence.first'; scenario: Scenario; trigger: SequenceTrigger; windowPrefix: string }
  | { role: 'absence.missing' | 'absence.after'; scenario: Scenario; trigger: AbsenceTrigger; timers: AbsenceTimerNames }
  | { role: 'date'; scenario: Scenario; trigger: DateTrigger }
  | ({ role: 'stop'; scenario: Scenario } & Stops);

/** An absence scenario's timer ids (`absenceTimerId`) and payload head, made once. */
interface AbsenceTimerNames {
  /** The timer of the empty group; also the prefix every group's timer starts with. */
  base: string;
  /** `base` and the separator: a group's timer is `groupPrefix + group`. */
  groupPrefix: string;
  payloadHead: string;
}

const ROLE_ORDER: Record<Hook['role'], number> = {
  stop: 0,
  'absence.missing': 1,
  'sequence.then': 2,
  count: 3,
  'sequence.first': 4,
  'absence.after': 5,
  date: 6,
};

/**
 * The pure heart of Tripwire: turns a visitor's events into store operations, and the store's
 * answers and due timers into candidate firings. It knows no store, socket or warehouse; the live
 * pipeline and the backtest drive it the same way.
 */
export class ScenarioEvaluator {
  private readonly byType = new Map<EventType, Hook[]>();
  private readonly byId = new Map<string, Scenario>();
  /** The last event whose payload tail was encoded, and its text (see payloadTail). */
  private tailOf: TrackedEvent | undefined;
  private tailText = '';

  constructor(readonly scenarios: readonly Scenario[]) {
    for (const scenario of scenarios) {
      this.byId.set(scenario.id, scenario);
      this.index(scenario);
    }
    for (const hooks of this.byType.values()) hooks.sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role]);
  }

  scenario(id: string): Scenario | undefined {
    return this.byId.get(id);
  }

  plan(visitor: VisitorRef, events: readonly TrackedEvent[]): FramePlan {
    const ops: EventOps[] = [];
    const probes: Probe[] = [];
    const yearly: YearlyArming[] = [];
    this.tailOf = undefined;
    for (let eventIndex = 0; eventIndex < events.length; eventIndex++) {
      const event = events[eventIndex]!;
      const eventOps: StateOp[] = [];
      visitorOps(event, eventOps);
      const hooks = this.byType.get(event.type);
      if (hooks !== undefined) {
        for (const hook of hooks) this.planHook(hook, event, eventIndex, eventOps, probes, yearly);
      }
      ops.push({ eventId: event.id, ops: eventOps });
    }
    return { visitor, events, ops, probes, yearly };
  }

  /** The candidate each probe of the plan would make, with the condition the store's result must meet. */
  prospects(plan: FramePlan): Prospect[] {
    return plan.probes.map((probe) => {
      const event = plan.events[probe.event]!;
      return { scenario: probe.scenario, eventId: event.id, event: probe.event, op: probe.op, equals: probe.equals, atLeast: probe.atLeast };
    });
  }

  candidates(plan: FramePlan, result: ApplyResult): Candidate[] {
    const candidates: Candidate[] = [];
    for (const probe of plan.probes) {
      if (!resultMeets(result.events, probe)) continue;
      const event = plan.events[probe.event]!;
      candidates.push(firstStep(probe.scenario, event.id, event.time, triggerContext(probe.scenario, event)));
    }
    return candidates;
  }

  /** The candidate a due timer stands for; undefined when its scenario (or the journey step) is gone. */
  fromTimer(timer: DueTimer): Candidate | undefined {
    const payload = decodeTimerPayload(timer.payload);
    const scenario = this.byId.get(payload.scenario);
    if (scenario === undefined) return undefined;
    const context = withScenario(payload.context, scenario);
    const failures = payload.failures ?? 0;
    const claimed = payload.claimed === true;
    if (payload.step === undefined) {
      // A yearly trigger fires again and again from one identify: the due time tells occurrences apart.
      const occurrence = payload.occurrence ?? (scenario.trigger.kind === 'date' ? `${context.event.id}@${timer.due}` : context.event.id);
      const drawn = scenario.variants.some((v) => v.id === payload.variant) ? payload.variant : undefined;
      return { ...firstStep(scenario, occurrence, timer.due, context, claimed, failures), variant: drawn, ...decidedAtOf(payload) };
    }
    const variant = scenario.variants.find((v) => v.id === payload.variant);
    if (variant === undefined || variant.steps[payload.step] === undefined) return undefined;
    return {
      scenario,
      eventId: `${payload.occurrence ?? context.event.id}#${payload.step}`,
      time: timer.due,
      context,
      variant: variant.id,
      step: payload.step,
      claimed,
      failures,
      ...decidedAtOf(payload),
    };
  }

  /**
   * Timers that stand for firings whose delivery failed, to be tried again at `due`: the same
   * firings (occurrence, so trigger id, and journey step), one failure more, firing at `due`: a
   * claim at the retry counts the channel's cap up to then. Frames' events will not be evaluated
   * again (a resend is a duplicate), and a timer's own name may be armed again by the visitor
   * meanwhile, so each waits under a name of its own. `claimed` when the failed delivery had
   * claimed their cooldowns and caps.
   */
  deferred(candidates: readonly Candidate[], due: number, claimed: boolean): StateOp[] {
    return candidates.map((candidate) => ({
      kind: 'timer.arm',
      timer: `${TIMER_KIND.deferred}${candidate.scenario.id}:${candidate.eventId}`,
      due,
      payload: encodeTimerPayload({
        scenario: candidate.scenario.id,
        context: candidate.context,
        // A first step keeps the variant its claimed firing was recorded with, when it has one.
        ...(candidate.variant === undefined ? {} : { variant: candidate.variant }),
        ...(candidate.step > 0 ? { step: candidate.step } : {}),
        occurrence: occurrenceOf(candidate),
        failures: candidate.failures + 1,
        claimed: claimed || candidate.claimed,
        ...(candidate.decidedAt === undefined ? {} : { decidedAt: candidate.decidedAt }),
      }),
    }));
  }

  /**
   * What a delivered step leaves behind: the journey's next step, armed under a name of its own,
   * its wait counted from `handedOverAt`, when the step went to its channel: not from the
   * firing's time, which for an event resent late (or a timer fired late) is in the past, so the
   * next step would follow at once. A first step starts the journey afresh: the steps an earlier
   * firing left waiting are cancelled.
   */
  afterFire(candidate: Candidate, variantId: string, handedOverAt: number): StateOp[] {
    const { scenario } = candidate;
    const variant = scenario.variants.find((v) => v.id === variantId);
    const step = candidate.step + 1;
    const next = variant?.steps[step];
    if (next === undefined) return [];
    const occurrence = occurrenceOf(candidate);
    const payload = encodeTimerPayload({ scenario: scenario.id, context: candidate.context, variant: variantId, step, occurrence });
    const arm: StateOp = { kind: 'timer.arm', timer: journeyStepTimerId(scenario.id, variantId, step), due: handedOverAt + next.wait, payload };
    return candidate.step === 0 ? [{ kind: 'timer.cancelPrefix', prefix: journeyTimerId(scenario.id) }, arm] : [arm];
  }

  /**
   * What a yearly firing leaves behind whatever its verdict: the next year's occurrence. A
   * birthday held back (no consent yet, a cap, the control group, priority, a visitor filter) or
   * never delivered is still due next year. Arming it again is harmless: the same timer, due at
   * the same time.
   */
  nextOccurrence(candidate: Candidate): StateOp[] {
    const { scenario } = candidate;
    if (scenario.trigger.kind !== 'date' || candidate.step !== 0) return [];
    const arm = this.dateTimer(scenario, scenario.trigger, candidate.context, candidate.time);
    return arm === undefined ? [] : [arm];
  }

  private index(scenario: Scenario): void {
    const trigger = scenario.trigger;
    switch (trigger.kind) {
      case 'count': {
        const windowPrefix = `w:${scenario.id}:`;
        for (const type of trigger.match.types) this.hook(type, { role: 'count', scenario, trigger, windowPrefix });
        break;
      }
      case 'absence': {
        const timers: AbsenceTimerNames = {
          base: absenceTimerId(scenario.id, ''),
          groupPrefix: absenceTimerGroupPrefix(scenario.id),
          payloadHead: timerPayloadHead(scenario.id),
        };
        for (const type of trigger.missing.types) this.hook(type, { role: 'absence.missing', scenario, trigger, timers });
        for (const type of trigger.after.types) this.hook(type, { role: 'absence.after', scenario, trigger, timers });
        break;
      }
      case 'sequence': {
        const windowPrefix = `s:${scenario.id}:`;
        for (const type of trigger.then.types) this.hook(type, { role: 'sequence.then', scenario, trigger, windowPrefix });
        for (const type of trigger.first.types) this.hook(type, { role: 'sequence.first', scenario, trigger, windowPrefix });
        break;
      }
      case 'date':
        this.hook('identify', { role: 'date', scenario, trigger });
        break;
      case 'schedule':
        // No visitor event starts it: the segment scheduler hands its candidates to the pipeline.
        break;
    }
    const stops = stopsOf(scenario);
    const matchers = [stops.exit, stops.journey?.goal, ...(stops.journey?.unless.map((step) => step.matcher) ?? [])];
    const types = new Set(matchers.flatMap((matcher) => (matcher === undefined ? [] : [...matcher.types])));
    for (const type of types) this.hook(type, { role: 'stop', scenario, ...stops });
  }

  private planHook(hook: Hook, event: TrackedEvent, eventIndex: number, ops: StateOp[], probes: Probe[], yearly: YearlyArming[]): void {
    const { scenario } = hook;
    switch (hook.role) {
      case 'count': {
        const { trigger } = hook;
        if (!matchesEvent(trigger.match, event)) return;
        const group = groupValue(event, trigger.per);
        const member = trigger.distinct === undefined ? event.id : groupValue(event, trigger.distinct);
        if (group === undefined || member === undefined) return;
        probes.push({ event: eventIndex, op: ops.length, scenario, equals: trigger.atLeast, atLeast: trigger.atLeast });
        ops.push({ kind: 'window.add', key: hook.windowPrefix + group, member, at: event.time, span: trigger.within });
        return;
      }
      case 'sequence.first':
      case 'sequence.then': {
        const { trigger } = hook;
        const matcher = hook.role === 'sequence.first' ? trigger.first : trigger.then;
        if (!matchesEvent(matcher, event)) return;
        const group = groupValue(event, matcher.by);
        if (group === undefined) return;
        const key = hook.windowPrefix + group;
        if (hook.role === 'sequence.first') {
          ops.push({ kind: 'window.add', key, member: event.id, at: event.time, span: trigger.within });
          return;
        }
        probes.push({ event: eventIndex, op: ops.length, scenario, equals: undefined, atLeast: 1 });
        ops.push({ kind: 'window.count', key, at: event.time, span: trigger.within });
        return;
      }
      case 'absence.missing':
      case 'absence.after': {
        const { trigger } = hook;
        const matcher = hook.role === 'absence.after' ? trigger.after : trigger.missing;
        if (!matchesEvent(matcher, event)) return;
        const group = groupValue(event, matcher.by);
        if (group === undefined) return;
        const { timers } = hook;
        const timer = group === '' ? timers.base : timers.groupPrefix + group;
        if (hook.role === 'absence.missing') {
          // Only a reminder whose `after` event came at or before this one: a late `missing` event,
          // made before the cart add its reminder is about, does not follow it.
          ops.push({ kind: 'timer.cancel', timer, dueBy: event.time + trigger.within });
          return;
        }
        ops.push({ kind: 'timer.arm', timer, due: event.time + trigger.within, payload: timers.payloadHead + this.payloadTail(event) });
        return;
      }
      case 'date':
        if (bringsYearlyTraits(event, hook.trigger)) yearly.push({ scenario, trigger: hook.trigger, event });
        return;
      case 'stop':
        planStop(hook, event, ops);
        return;
    }
  }

  /**
   * The yearly timers the frame's identifies arm, for the store to run once it ran the frame: from
   * the visitor's profile after it, so an identify that brings only a time zone (or only the date)
   * moves the pending occurrence with what earlier identifies brought. The occurrence is the next
   * in the visitor's time zone, but none of a year whose occurrence already came due: a time zone
   * learned on the birthday, once it came due, does not fire it twice. One entry per identify,
   * kept from running twice by its event id.
   */
  yearlyArms(plan: FramePlan, profile: Record<string, string>): EventOps[] {
    if (plan.yearly.length === 0) return [];
    const traits = identifiedTraits(profile);
    const byEvent = new Map<string, StateOp[]>();
    for (const { scenario, trigger, event } of plan.yearly) {
      const armed = profile[yearlyArmedField(scenario.id)];
      const after = yearlyFloor(event.time, armed === undefined ? undefined : Number(armed));
      // The payload keeps the traits the occurrence was armed with: the next year's is armed from them.
      const arm = this.dateTimer(scenario, trigger, triggerContext(scenario, { ...event, props: { ...event.props, traits } }), after);
      if (arm === undefined) continue;
      const ops = byEvent.get(event.id) ?? [];
      ops.push(arm, { kind: 'hash.set', hash: 'profile', field: yearlyArmedField(scenario.id), value: String(arm.due) });
      byEvent.set(event.id, ops);
    }
    return [...byEvent].map(([eventId, ops]) => ({ eventId: `yearly:${eventId}`, ops }));
  }

  /** The yearly timer for the date trait (and, optionally, the `timezone` trait) of the context's traits. */
  private dateTimer(scenario: Scenario, trigger: DateTrigger, context: TriggerContext, after: number): TimerArmOp | undefined {
    const traits = context.props.traits;
    if (traits === null || typeof traits !== 'object' || Array.isArray(traits)) return undefined;
    const date = traits[trigger.trait];
    if (typeof date !== 'string') return undefined;
    const zone = typeof traits.timezone === 'string' && isTimeZone(traits.timezone) ? traits.timezone : trigger.timezone;
    const due = nextAnniversary(date, trigger.hour, zone, after);
    if (due === undefined) return undefined;
    const payload = encodeTimerPayload({ scenario: scenario.id, context });
    return { kind: 'timer.arm', timer: dateTimerId(scenario.id), due, payload };
  }

  /**
   * The event's part of a timer payload, encoded once per event: one product view re-arms the
   * reminders of several scenarios with the same context.
   */
  private payloadTail(event: TrackedEvent): string {
    if (this.tailOf !== event) {
      this.tailOf = event;
      this.tailText = eventPayloadTail({ event, props: event.props });
    }
    return this.tailText;
  }

  private hook(type: EventType, hook: Hook): void {
    const hooks = this.byType.get(type);
    if (hooks === undefined) this.byType.set(type, [hook]);
    else hooks.push(hook);
  }
}

/** A stored context with its scenario: from the payload when stored before payloads left it out, else from the scenario loaded. */
function withScenario(context: StoredContext, scenario: Scenario): TriggerContext {
  return { scenario: context.scenario ?? { id: scenario.id, name: scenario.name }, event: context.event, props: context.props };
}

function firstStep(scenario: Scenario, eventId: string, time: number, context: TriggerContext, claimed = false, failures = 0): Candidate {
  return { scenario, eventId, time, context, variant: undefined, step: 0, claimed, failures };
}

/** A claimed firing's first decision time, when its payload kept one (older payloads did not). */
function decidedAtOf(payload: TimerPayload): Pick<Candidate, 'decidedAt'> {
  return payload.decidedAt === undefined ? {} : { decidedAt: payload.decidedAt };
}

/** The occurrence a candidate belongs to: a later journey step's eventId is its first step's, with `#<step>`. */
function occurrenceOf(candidate: Candidate): string {
  return candidate.step === 0 ? candidate.eventId : candidate.eventId.slice(0, candidate.eventId.lastIndexOf('#'));
}
