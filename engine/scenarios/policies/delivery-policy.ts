import type { VisitorRef } from '../../events/index.js';
import type { Claim, ClaimCheck, ClaimOutcome } from '../../state/index.js';
import { matchesAll } from '../evaluate/event-matcher.js';
import type { Candidate } from '../evaluate/trigger-context.js';
import { PROFILE, hasVerifiedEmail, isIdentified, visitorTraits } from '../evaluate/visitor-model.js';
import type { Action, Channel, Scenario } from '../model.js';
import { assignVariant } from './variant-assignment.js';

export type SuppressionReason = 'priority' | 'cooldown' | 'cap' | 'consent' | 'control';

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

/** A visitor first seen longer ago than this is "returning". */
const RETURNING_AFTER = 30 * 60_000;

/**
 * Decides which candidates are delivered: visitor filters, variant and control group, consent,
 * priority per channel (the highest wins, the others are recorded as suppressed), then the
 * cooldown and the channel's frequency cap, which the store claims atomically so that two
 * engines cannot both deliver. Control visitors go through the same policies as the others, so
 * the two groups stay comparable; they are recorded and not delivered.
 */
export class DeliveryPolicy {
  constructor(private readonly options: PolicyOptions) {}

  screen(visitor: VisitorRef, candidates: readonly Candidate[], profile: Record<string, string>): Screening {
    const verdicts: Verdict[] = [];
    const winners = new Map<string, Verdict>();
    const traits = visitorTraits(profile);
    const ranked = [...candidates].sort((a, b) => b.scenario.priority - a.scenario.priority);
    for (const candidate of ranked) {
      if (!this.appliesTo(candidate, profile, traits)) continue;
      const verdict = this.assign(visitor, candidate);
      if (verdict === undefined) continue;
      const transactional = candidate.scenario.transactional;
      if (verdict.channel === 'email' && !this.mayEmail(profile, transactional)) {
        verdicts.push({ ...verdict, status: 'suppressed', reason: 'consent' });
        continue;
      }
      const lane = `${verdict.channel}:${transactional ? 'transactional' : 'marketing'}`;
      if (winners.has(lane)) {
        verdicts.push({ ...verdict, status: 'suppressed', reason: 'priority' });
        continue;
      }
      winners.set(lane, verdict);
    }
    const pending = [...winners.values()];
    return { verdicts, pending, claims: pending.map((verdict) => this.claimFor(verdict)) };
  }

  settle(pending: readonly Verdict[], outcomes: readonly ClaimOutcome[]): Verdict[] {
    return pending.map((verdict, i) => {
      const failed = outcomes[i] ?? 0;
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
    if (filter.identified !== undefined && filter.identified !== isIdentified(profile)) return false;
    if (filter.returning !== undefined && filter.returning !== isReturning(profile, candidate.time)) return false;
    if (!filter.consent.every((purpose) => profile[PROFILE.consentPrefix + purpose] === '1')) return false;
    return matchesAll(filter.traits, traits);
  }

  private mayEmail(profile: Record<string, string>, transactional: boolean): boolean {
    if (!transactional && profile[`${PROFILE.consentPrefix}email`] !== '1') return false;
    return this.options.requireVerifiedEmail ? hasVerifiedEmail(profile) : isIdentified(profile);
  }

  /** Later journey steps passed the cooldown at their first step: only the channel's cap applies. Transactional messages are not capped. */
  private claimFor(verdict: Verdict): Claim {
    const { candidate, channel } = verdict;
    const scenario: Scenario = candidate.scenario;
    const checks: ClaimCheck[] = [];
    if (scenario.cooldown > 0 && candidate.step === 0) checks.push({ kind: 'gate', key: `cool:${scenario.id}`, ttl: scenario.cooldown });
    if (scenario.transactional) return { checks };
    const cap = this.options.caps[channel];
    checks.push({ kind: 'cap', key: `cap:${channel}`, limit: cap.limit, span: cap.within, member: `${scenario.id}:${candidate.eventId}`, at: candidate.time });
    return { checks };
  }
}

function isReturning(profile: Record<string, string>, at: number): boolean {
  const firstSeen = Number(profile[PROFILE.firstSeen] ?? Number.NaN);
  return Number.isFinite(firstSeen) && firstSeen < at - RETURNING_AFTER;
}
