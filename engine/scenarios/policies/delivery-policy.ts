import type { Claim, ClaimCheck } from '../../state/index.js';
import { matchesAll } from '../evaluate/event-matcher.js';
import type { Candidate } from '../evaluate/trigger-context.js';
import { hasVerifiedEmail, isIdentified, visitorTraits } from '../evaluate/visitor-model.js';
import type { Channel } from '../model.js';

export type SuppressionReason = 'priority' | 'cooldown' | 'cap' | 'consent';

export interface Verdict {
  candidate: Candidate;
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

/** Candidates that passed the visitor's filters and priority, and the store claims that decide the rest. */
export interface Screening {
  verdicts: Verdict[];
  pending: Candidate[];
  claims: Claim[];
}

/**
 * Decides which candidates are delivered: visitor filters, consent, priority per channel (the
 * highest wins, the others are recorded as suppressed), then the cooldown and the channel's
 * frequency cap, which the store claims atomically so two engines cannot both deliver.
 */
export class DeliveryPolicy {
  constructor(private readonly options: PolicyOptions) {}

  screen(candidates: readonly Candidate[], profile: Record<string, string>): Screening {
    const verdicts: Verdict[] = [];
    const winners = new Map<Channel, Candidate>();
    const traits = visitorTraits(profile);
    const ranked = [...candidates].sort((a, b) => b.scenario.priority - a.scenario.priority);
    for (const candidate of ranked) {
      const { scenario } = candidate;
      const channel = scenario.action.channel;
      if (!this.appliesTo(candidate, profile, traits)) continue;
      if (channel === 'email' && !this.mayEmail(profile)) {
        verdicts.push({ candidate, channel, status: 'suppressed', reason: 'consent' });
        continue;
      }
      if (winners.has(channel)) {
        verdicts.push({ candidate, channel, status: 'suppressed', reason: 'priority' });
        continue;
      }
      winners.set(channel, candidate);
    }
    const pending = [...winners.values()];
    return { verdicts, pending, claims: pending.map((candidate) => this.claimFor(candidate)) };
  }

  /** `outcomes[i]` is -1 when claim i was granted, else the index of its first failing check. */
  settle(pending: readonly Candidate[], outcomes: readonly number[]): Verdict[] {
    return pending.map((candidate, i) => {
      const channel = candidate.scenario.action.channel;
      const failed = outcomes[i] ?? 0;
      if (failed === -1) return { candidate, channel, status: 'fired', reason: '' };
      const check = this.claimFor(candidate).checks[failed];
      return { candidate, channel, status: 'suppressed', reason: check?.kind === 'gate' ? 'cooldown' : 'cap' };
    });
  }

  private appliesTo(candidate: Candidate, profile: Record<string, string>, traits: Record<string, string>): boolean {
    const filter = candidate.scenario.visitor;
    if (filter.identified !== undefined && filter.identified !== isIdentified(profile)) return false;
    return matchesAll(filter.traits, traits);
  }

  private mayEmail(profile: Record<string, string>): boolean {
    if (profile['consent.email'] !== '1') return false;
    return this.options.requireVerifiedEmail ? hasVerifiedEmail(profile) : isIdentified(profile);
  }

  private claimFor(candidate: Candidate): Claim {
    const { scenario, time } = candidate;
    const channel = scenario.action.channel;
    const checks: ClaimCheck[] = [];
    if (scenario.cooldown > 0) checks.push({ kind: 'gate', key: `cool:${scenario.id}`, ttl: scenario.cooldown });
    const cap = this.options.caps[channel];
    checks.push({ kind: 'cap', key: `cap:${channel}`, limit: cap.limit, span: cap.within, member: `${scenario.id}:${candidate.eventId}`, at: time });
    return { checks };
  }
}
