import type { TrackedEvent, VisitorRef } from '../../events/index.js';
import type { EventType } from '../../protocol/index.js';
import type { ApplyResult, DueTimer, EventOps, StateOp } from '../../state/index.js';
import type { AbsenceTrigger, CountTrigger, Scenario } from '../model.js';
import { groupValue, matchesEvent } from './event-matcher.js';
import { absenceTimerId, decodeTimerPayload, encodeTimerPayload } from './timer-payload.js';
import { triggerContext, type Candidate } from './trigger-context.js';
import { visitorOps } from './visitor-model.js';

/** A window count to read back after the store ran the frame. */
interface CountProbe {
  eventIndex: number;
  opIndex: number;
  scenario: Scenario;
  trigger: CountTrigger;
}

export interface FramePlan {
  visitor: VisitorRef;
  events: readonly TrackedEvent[];
  /** What the store must run, one entry per event, in order. */
  ops: EventOps[];
  probes: CountProbe[];
}

type Hook =
  | { role: 'count'; scenario: Scenario; trigger: CountTrigger }
  | { role: 'arm' | 'cancel'; scenario: Scenario; trigger: AbsenceTrigger };

/**
 * The pure heart of Tripwire: turns a visitor's events into store operations, and the store's
 * answers into candidate firings. It knows no store, socket or warehouse; the live pipeline
 * and the backtest drive it the same way.
 */
export class ScenarioEvaluator {
  private readonly byType = new Map<EventType, Hook[]>();
  private readonly byId = new Map<string, Scenario>();

  constructor(readonly scenarios: readonly Scenario[]) {
    for (const scenario of scenarios) {
      this.byId.set(scenario.id, scenario);
      const trigger = scenario.trigger;
      if (trigger.kind === 'count') {
        for (const type of trigger.match.types) this.hook(type, { role: 'count', scenario, trigger });
      } else {
        for (const type of trigger.missing.types) this.hook(type, { role: 'cancel', scenario, trigger });
        for (const type of trigger.after.types) this.hook(type, { role: 'arm', scenario, trigger });
      }
    }
  }

  scenario(id: string): Scenario | undefined {
    return this.byId.get(id);
  }

  plan(visitor: VisitorRef, events: readonly TrackedEvent[]): FramePlan {
    const ops: EventOps[] = [];
    const probes: CountProbe[] = [];
    for (let eventIndex = 0; eventIndex < events.length; eventIndex++) {
      const event = events[eventIndex]!;
      const eventOps: StateOp[] = [];
      visitorOps(event, eventOps);
      const hooks = this.byType.get(event.type);
      if (hooks !== undefined) {
        for (const hook of hooks) this.planHook(hook, event, eventIndex, eventOps, probes);
      }
      ops.push({ eventId: event.id, ops: eventOps });
    }
    return { visitor, events, ops, probes };
  }

  /** Count triggers fire on the event that brings the count to exactly `atLeast`: once per crossing. */
  candidates(plan: FramePlan, result: ApplyResult): Candidate[] {
    const candidates: Candidate[] = [];
    for (const probe of plan.probes) {
      const outcome = result.events[probe.eventIndex];
      if (outcome === undefined || outcome.duplicate) continue;
      if (outcome.results[probe.opIndex] !== probe.trigger.atLeast) continue;
      const event = plan.events[probe.eventIndex]!;
      candidates.push({
        scenario: probe.scenario,
        eventId: event.id,
        time: event.time,
        context: triggerContext(probe.scenario, event),
      });
    }
    return candidates;
  }

  /** The candidate a due absence timer stands for; undefined when its scenario is gone. */
  fromTimer(timer: DueTimer): Candidate | undefined {
    const payload = decodeTimerPayload(timer.payload);
    const scenario = this.byId.get(payload.scenario);
    if (scenario === undefined) return undefined;
    return { scenario, eventId: payload.context.event.id, time: timer.due, context: payload.context };
  }

  private planHook(hook: Hook, event: TrackedEvent, eventIndex: number, ops: StateOp[], probes: CountProbe[]): void {
    if (hook.role === 'count') {
      const { trigger, scenario } = hook;
      if (!matchesEvent(trigger.match, event)) return;
      const group = groupValue(event, trigger.per);
      const member = trigger.distinct === undefined ? event.id : groupValue(event, trigger.distinct);
      if (group === undefined || member === undefined) return;
      probes.push({ eventIndex, opIndex: ops.length, scenario, trigger });
      ops.push({ kind: 'window.add', key: `w:${scenario.id}:${group}`, member, at: event.time, span: trigger.within });
      return;
    }
    const { trigger, scenario } = hook;
    const matcher = hook.role === 'arm' ? trigger.after : trigger.missing;
    if (!matchesEvent(matcher, event)) return;
    const group = groupValue(event, trigger.per);
    if (group === undefined) return;
    const timer = absenceTimerId(scenario.id, group);
    if (hook.role === 'cancel') {
      ops.push({ kind: 'timer.cancel', timer });
      return;
    }
    const payload = encodeTimerPayload({ scenario: scenario.id, context: triggerContext(scenario, event) });
    ops.push({ kind: 'timer.arm', timer, due: event.time + trigger.within, payload });
  }

  private hook(type: EventType, hook: Hook): void {
    const hooks = this.byType.get(type);
    if (hooks === undefined) this.byType.set(type, [hook]);
    else hooks.push(hook);
  }
}
