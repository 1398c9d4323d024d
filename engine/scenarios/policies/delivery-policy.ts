import type { VisitorRef } from '../../events/index.js';
import { CLAIM_NOT_TRIED, type Claim, type ClaimCheck, type ClaimOutcome, type ConditionalClaim } from '../../state/index.js';
import { TripwireError } from '../../errors.js';
import { matchesAll } from '../evaluate/event-matcher.js';
import type { Candidate, Prospect } from '../evaluate/trigger-context.js';
import { PROFILE, hasConsent, hasEmailConsent, hasVerifiedEmail, isIdentified, visitorTraits } from '../evaluate/visitor-model.js';
import { SAME_YEAR } from '../evaluate/yearly-date.js';
import type { Action, Channel, Scenario, VisitorFilter } from '../model.js';
import { assignVariant } from './variant-assignment.js';

/** `audience`: a firing tried again whose visitor no longer matches the scenario's visitor filter. */
export type SuppressionReason = 'priority' | 'cooldown' | 'cap' | 'consent' | 'control' | 'audience';

export interface Verdict {
  candidate: Candidate;
  variant: string;
  action: Action;
  channel: Channel;
  status: 'fired' | 'suppressed';
  /** Empty when fired. */
  reason: SuppressionReason | '';
}

export interface ChannelCap {
  limit: number;
  within: number;
}

export interface PolicyOptions {
  caps: Record<Channel, ChannelCap>;
  /** Email only to addresses whose identify carried the site's HMAC. */
  requireVerifiedEmail: boolean;
}

/** What is left for the store to decide: the claims of the candidates that passed everything else. */
export interface Screening {
  verdicts: Verdict[];
  pending: Verdict[];
  claims: Claim[];
}

/** Claims for the store to take with the frame's apply, and the occurrence (occurrenceKey) each stands for. */
export interface ClaimsAhead {
  claims: ConditionalClaim[];
  occurrences: string[];
}

/** Where a scenario's first-step candidates compete (laneOf, with their event), and whether their screening ignores the profile. */
interface ScenarioLane {
  channel: Channel;
  transactional: boolean;
  ahead: boolean;
}

/** A visitor first seen longer ago than this is "returning". */
const RETURNING_AFTER = 30 * 60_000;

/**
 * Decides which candidates are delivered: visitor filters, variant and control group, consent,
 * then the cooldown and the channel's frequency cap, which the store claims atomically so that
 * two engines cannot both deliver, and priority per channel and event: the claims of a lane are
 * tried from the highest priority down until one is granted, the others recorded as suppressed. Control visitors go through the same policies as the others, so
 * the two groups stay comparable; they are recorded and not delivered.
 */
export class DeliveryPolicy {
  private readonly lanes = new WeakMap<Scenario, ScenarioLane | undefined>();

  constructor(private readonly options: PolicyOptions) {}

  /**
   * The claims of a frame's prospects the store can take in the frame's own apply, each if its
   * prospect fires: those of the lanes (channel and kind) whose screening depends on nothing the
   * frame could change — no visitor filter, no email (consent and address are profile fields).
   * Lanes are independent (a gate is a scenario's, a cap a channel's), so the other lanes'
   * candidates are screened after the apply and claimed in a second call, as before. Ranked and
   * laned as `screen` ranks them, so `screen` of the candidates that fire finds the pending
   * verdicts of these lanes among these claims. Undefined when there are none.
   */
  claimsAhead(prospects: readonly Prospect[]): ClaimsAhead | undefined {
    const lanes: Array<{ channel: Channel; lane: string }> = [];
    // By channel and kind, not by event: a channel's cap (and a scenario's cooldown) is claimed
    // across its events' lanes, so all of them go in one call, in the order `screen` gives them.
    let afterLanes: Set<string> | undefined;
    for (const { scenario } of prospects) {
      const scenarioLane = this.scenarioLane(scenario);
      if (scenarioLane === undefined) return undefined;
      const lane = laneOf(scenarioLane.channel, scenarioLane.transactional);
      if (!scenarioLane.ahead) (afterLanes ??= new Set()).add(lane);
      lanes.push({ channel: scenarioLane.channel, lane });
    }
    const order = prospects.map((_, i) => i);
    if (order.length > 1) order.sort((a, b) => prospects[b]!.scenario.priority - prospects[a]!.scenario.priority);
    const claims: ConditionalClaim[] = [];
    const occurrences: string[] = [];
    for (const i of order) {
      const prospect = prospects[i]!;
      const { lane, channel } = lanes[i]!;
      if (afterLanes?.has(lane) === true) continue;
      const { scenario, eventId } = prospect;
      claims.push({
        event: prospect.event,
        op: prospect.op,
        equals: prospect.equals,
        atLeast: prospect.atLeast,
        lane: eventLane(lane, eventId),
        checks: this.checksFor(scenario, channel, 0, eventId),
      });
      occurrences.push(occurrenceKey(scenario.id, eventId));
    }
    return claims.length === 0 ? undefined : { claims, occurrences };
  }

  screen(visitor: VisitorRef, candidates: readonly Candidate[], profile: Record<string, string>): Screening {
    const verdicts: Verdict[] = [];
    const pending: Verdict[] = [];
    const traits = visitorTraits(profile);
    const ranked = [...candidates].sort((a, b) => b.scenario.priority - a.scenario.priority);
    for (const candidate of ranked) {
      const applies = this.appliesTo(candidate, profile, traits);
      // A claimed firing was recorded as fired: what stops it now is said, not dropped in silence.
      if (!applies && !candidate.claimed) continue;
      const verdict = this.assign(visitor, candidate);
      if (verdict === undefined) continue;
      if (!applies) {
        verdicts.push({ ...verdict, status: 'suppressed', reason: 'audience' });
        continue;
      }
      const transactional = candidate.scenario.transactional;
      if (verdict.channel === 'email' && !this.mayEmail(profile, transactional)) {
        verdicts.push({ ...verdict, status: 'suppressed', reason: 'consent' });
        continue;
      }
      // Priority is settled by the claims: of a lane, the highest whose quiet period and cap let it
      // through wins, so a scenario in its quiet period does not hold back a lower one.
      pending.push(verdict);
    }
    return { verdicts, pending, claims: pending.map((verdict) => this.claimFor(verdict)) };
  }

  /**
   * The pending verdicts to try again after their claim call failed (those `outcomesAhead` did not
   * settle): the first of each lane. The others are recorded as priority losers, as before the
   * claim: alone at the retry, they would win.
   */
  retriedAfterFailedClaim(pending: readonly Verdict[]): { retried: Verdict[]; outranked: Verdict[] } {
    const lanes = new Set<string>();
    const retried: Verdict[] = [];
    const outranked: Verdict[] = [];
    for (const verdict of pending) {
      const lane = laneOfVerdict(verdict);
      if (lanes.has(lane)) outranked.push({ ...verdict, status: 'suppressed', reason: 'priority' });
      else {
        lanes.add(lane);
        retried.push(verdict);
      }
    }
    return { retried, outranked };
  }

  /**
   * The outcome the frame's apply gave each pending verdict of `screen`, undefined for one of a
   * lane it did not claim (to be claimed now); CLAIM_NOT_TRIED for one whose lane a claim before
   * it took. A verdict of a claimed lane without an outcome means the claims and the screening
   * disagree, a defect: it throws rather than guess.
   */
  outcomesAhead(pending: readonly Verdict[], ahead: ClaimsAhead, outcomes: readonly ClaimOutcome[]): Array<ClaimOutcome | undefined> {
    return pending.map(({ candidate }) => {
      const taken = ahead.occurrences.indexOf(occurrenceKey(candidate.scenario.id, candidate.eventId));
      if (taken < 0) return undefined;
      const outcome = outcomes[taken];
      if (outcome === undefined) {
        throw new TripwireError('TW_INTERNAL', `The claims taken with a frame do not match its screening: scenario ${candidate.scenario.id} fired and was not claimed.`);
      }
      return outcome;
    });
  }

  settle(pending: readonly Verdict[], outcomes: readonly ClaimOutcome[]): Verdict[] {
    return pending.map((verdict, i) => {
      const failed = outcomes[i] ?? 0;
      if (failed === CLAIM_NOT_TRIED) return { ...verdict, status: 'suppressed', reason: 'priority' };
      if (failed === -1) return verdict.reason === 'control' ? verdict : { ...verdict, status: 'fired', reason: '' };
      const check = this.claimFor(verdict).checks[failed];
      return { ...verdict, status: 'suppressed', reason: check?.kind === 'gate' ? 'cooldown' : 'cap' };
    });
  }

  /** Picks the variant (kept for later journey steps) and the step's action; control is marked. */
  private assign(visitor: VisitorRef, candidate: Candidate): Verdict | undefined {
    const { scenario } = candidate;
    if (candidate.variant !== undefined) {
      const variant = scenario.variants.find((v) => v.id === candidate.variant);
      const step = variant?.steps[candidate.step];
      if (variant === undefined || step === undefined) return undefined;
      return { candidate, variant: variant.id, action: step.action, channel: step.action.channel, status: 'suppressed', reason: '' };
    }
    const assignment = assignVariant(visitor, scenario);
    const action = assignment.variant.steps[0]!.action;
    return {
      candidate,
      variant: assignment.control ? 'control' : assignment.variant.id,
      action,
      channel: action.channel,
      status: 'suppressed',
      reason: assignment.control ? 'control' : '',
    };
  }

  private appliesTo(candidate: Candidate, profile: Record<string, string>, traits: Record<string, string>): boolean {
    const filter = candidate.scenario.visitor;
    // Keeps claimsAhead in step: a filter this function reads must make filtered() true.
    if (!filtered(filter)) return true;
    if (filter.identified !== undefined && filter.identified !== isIdentified(profile)) return false;
    // Judged when the firing was first screened: tried again after a failure, it fires later, and
    // only the clock, not the visitor, would have changed.
    const triedAgain = candidate.failures > 0;
    if (filter.returning !== undefined && !triedAgain && filter.returning !== isReturning(profile, candidate.time)) return false;
    if (!filter.consent.every((purpose) => hasConsent(profile, purpose))) return false;
    return matchesAll(filter.traits, traits);
  }

  private mayEmail(profile: Record<string, string>, transactional: boolean): boolean {
    if (!transactional && !hasEmailConsent(profile)) return false;
    return this.options.requireVerifiedEmail ? hasVerifiedEmail(profile) : isIdentified(profile);
  }

  /**
   * Counted, like a claim taken with the apply, from when the store takes it, not from the
   * candidate's time. A candidate claimed before (an interrupted delivery, tried again) checks
   * nothing: its cooldown and cap are its own.
   */
  private claimFor(verdict: Verdict): Claim {
    const { candidate, channel } = verdict;
    const checks = candidate.claimed ? [] : this.checksFor(candidate.scenario, channel, candidate.step, candidate.eventId);
    return { checks, lane: laneOfVerdict(verdict) };
  }

  /** Later journey steps passed the cooldown at their first step: only the channel's cap applies. Transactional messages are not capped. */
  private checksFor(scenario: Scenario, channel: Channel, step: number, eventId: string): ClaimCheck[] {
    const checks: ClaimCheck[] = [];
    const quiet = quietPeriod(scenario);
    if (quiet > 0 && step === 0) checks.push({ kind: 'gate', key: `cool:${scenario.id}`, ttl: quiet });
    if (scenario.transactional) return checks;
    const cap = this.options.caps[channel];
    checks.push({ kind: 'cap', key: `cap:${channel}`, limit: cap.limit, span: cap.within, member: `${scenario.id}:${eventId}` });
    return checks;
  }

  /** Undefined when a variant picks the channel: the scenario's candidates may share any lane. */
  private scenarioLane(scenario: Scenario): ScenarioLane | undefined {
    if (this.lanes.has(scenario)) return this.lanes.get(scenario);
    const channel = firstChannel(scenario);
    const lane = channel === undefined ? undefined : { channel, transactional: scenario.transactional, ahead: channel !== 'email' && !filtered(scenario.visitor) };
    this.lanes.set(scenario, lane);
    return lane;
  }
}

/**
 * A yearly scenario's quiet period is at least half a year, so a year fires once whatever armed
 * its occurrences: an identify made before identifies recorded the occurrence they armed
 * (`yearly_armed.<scenario>`) leaves nothing that tells a later identify this year's came due, and
 * a time zone or date it brings would arm this year's again.
 */
function quietPeriod(scenario: Scenario): number {
  return scenario.trigger.kind === 'date' ? Math.max(scenario.cooldown, SAME_YEAR) : scenario.cooldown;
}

/** What a candidate's claims are found by, once screened: its scenario and occurrence. */
function occurrenceKey(scenario: string, eventId: string): string {
  return `${scenario}\n${eventId}`;
}

function laneOf(channel: Channel, transactional: boolean): string {
  return `${channel}:${transactional ? 'transactional' : 'marketing'}`;
}

/**
 * Of the candidates of one channel and kind on one event, only the highest priority the quiet
 * periods and caps let through is delivered; firings on different events do not compete.
 */
function eventLane(lane: string, eventId: string): string {
  return `${lane}:${eventId}`;
}

function laneOfVerdict({ channel, candidate }: Verdict): string {
  return eventLane(laneOf(channel, candidate.scenario.transactional), candidate.eventId);
}

/** Whether the scenario is for some visitors only: screening it reads the profile. */
function filtered(filter: VisitorFilter): boolean {
  return filter.identified !== undefined || filter.returning !== undefined || filter.consent.length > 0 || filter.traits.length > 0;
}

/** The channel of the scenario's first step when every variant starts on the same one, else undefined (the visitor's variant decides). */
function firstChannel(scenario: Scenario): Channel | undefined {
  const channels = new Set(scenario.variants.map((variant) => variant.steps[0]!.action.channel));
  return channels.size === 1 ? [...channels][0]! : undefined;
}

function isReturning(profile: Record<string, string>, at: number): boolean {
  const firstSeen = Number(profile[PROFILE.firstSeen] ?? Number.NaN);
  return Number.isFinite(firstSeen) && firstSeen < at - RETURNING_AFTER;
}
