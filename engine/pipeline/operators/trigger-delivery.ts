import type { Clock, VisitorRef } from '../../events/index.js';
import type { EngineMetrics, Logger } from '../../observability/index.js';
import { readCart, type Candidate, type DeliveryPolicy, type ScenarioEvaluator, type Verdict } from '../../scenarios/index.js';
import type { VisitorSnapshot, WindowStore } from '../../state/index.js';
import type { EventSink } from '../../warehouse/index.js';
import type { DeliveryContext, EmailPort, PopinPort, SiteProfile, WebhookPort } from '../ports.js';
import { triggerId } from './trigger-id.js';

export interface TriggerDeliveryDeps {
  store: WindowStore;
  sink: EventSink;
  popins: PopinPort;
  emails: EmailPort;
  webhooks: WebhookPort;
  clock: Clock;
  logger: Logger;
  metrics: EngineMetrics;
  sites: ReadonlyMap<string, { profile: SiteProfile; policy: DeliveryPolicy }>;
}

/** What the caller of TriggerDelivery.deliver already knows. */
export interface DeliveryOrigin {
  /** The visitor's profile and cart, when the caller read them (a due timer); otherwise read alongside the claim. */
  snapshot?: VisitorSnapshot;
  /** When the gateway read the frame that fired (performance.now()): a pop-in is timed from it. */
  arrivedAt?: number;
}

/**
 * From candidates to deliveries: runs the site's policy (filters, variants, consent, priority,
 * then cooldown and caps claimed in the store), records every verdict in the warehouse, hands
 * what fired to its channel, and arms what a firing leaves behind (the next journey step).
 * Email and webhooks record their own delivery states.
 */
export class TriggerDelivery {
  constructor(private readonly deps: TriggerDeliveryDeps) {}

  /** Without `origin.snapshot`, profile and cart are read alongside the claim, so a pop-in waits on one round trip, not two. */
  async deliver(visitor: VisitorRef, evaluator: ScenarioEvaluator, candidates: readonly Candidate[], profile: Record<string, string>, origin: DeliveryOrigin = {}): Promise<void> {
    const known = origin.snapshot;
    const site = this.deps.sites.get(visitor.site);
    if (site === undefined) return;
    const screening = site.policy.screen(visitor, candidates, profile);
    const [outcomes, snapshot] = await Promise.all([
      screening.claims.length === 0 ? [] : this.deps.store.claim({ visitor, now: firingTime(candidates), claims: screening.claims }),
      known ?? (screening.pending.length === 0 ? undefined : this.deps.store.snapshot(visitor)),
    ]);
    const verdicts = [...screening.verdicts, ...site.policy.settle(screening.pending, outcomes)];
    for (const verdict of verdicts) await this.record(visitor, site.profile, evaluator, verdict, { ...origin, snapshot });
  }

  /** `origin.snapshot` is the one read for this delivery: undefined when nothing needed it. */
  private async record(visitor: VisitorRef, site: SiteProfile, evaluator: ScenarioEvaluator, verdict: Verdict, origin: DeliveryOrigin): Promise<void> {
    const { snapshot, arrivedAt } = origin;
    const { candidate, channel, status, reason, variant, action } = verdict;
    const id = triggerId(visitor, candidate.scenario.id, candidate.eventId);
    this.deps.metrics.triggers.inc({ scenario: candidate.scenario.id, status, reason });
    this.deps.sink.write('triggers', {
      trigger_id: id,
      site: visitor.site,
      visitor_id: visitor.visitor,
      scenario_id: candidate.scenario.id,
      variant,
      channel,
      status,
      reason,
      event_id: candidate.eventId,
      time: candidate.time,
      context: JSON.stringify(candidate.context),
    });
    if (status !== 'fired' || snapshot === undefined) return;
    const context = deliveryContext(id, variant, site, candidate, snapshot.profile, snapshot.cart);
    if (action.channel === 'popin') {
      const outcome = await this.deps.popins.show(visitor, action, context);
      if (outcome === 'sent' && arrivedAt !== undefined) this.deps.metrics.popinSeconds.observe((performance.now() - arrivedAt) / 1000);
      this.recordPopin(visitor, id, candidate, outcome);
    } else if (action.channel === 'email') {
      await this.deps.emails.enqueue({ triggerId: id, visitor, to: snapshot.profile.email ?? '', action, context });
    } else {
      await this.deps.webhooks.enqueue({ triggerId: id, visitor, action, context });
    }
    // After the hand-over, so the visitor's pop-in never waits on the journey's next step.
    await this.armFollowUps(visitor, evaluator, candidate, variant, id);
  }

  /** One store call, idempotent by the trigger id: a retried firing arms its follow-ups once. */
  private async armFollowUps(visitor: VisitorRef, evaluator: ScenarioEvaluator, candidate: Candidate, variant: string, trigger: string): Promise<void> {
    const ops = evaluator.afterFire(candidate, variant);
    if (ops.length === 0) return;
    await this.deps.store.apply({ visitor, now: this.deps.clock.now(), events: [{ eventId: `after:${trigger}`, ops }] });
  }

  private recordPopin(visitor: VisitorRef, trigger: string, candidate: Candidate, status: string): void {
    this.deps.metrics.deliveries.inc({ channel: 'popin', status });
    this.deps.sink.write('deliveries', {
      delivery_id: `${trigger}:${status}`,
      trigger_id: trigger,
      site: visitor.site,
      visitor_id: visitor.visitor,
      scenario_id: candidate.scenario.id,
      channel: 'popin',
      status,
      detail: '',
      time: this.deps.clock.now(),
    });
  }
}

/** Cooldowns and caps count from when the scenario fired (event time, or timer due time), so a replay decides as the live engine did. */
function firingTime(candidates: readonly Candidate[]): number {
  let time = 0;
  for (const candidate of candidates) time = Math.max(time, candidate.time);
  return time;
}

function deliveryContext(
  trigger: string,
  variant: string,
  site: SiteProfile,
  candidate: Candidate,
  profile: Record<string, string>,
  cartHash: Record<string, string>,
): DeliveryContext {
  const cart = readCart(cartHash);
  return {
    trigger: { id: trigger, scenario: candidate.scenario.id, variant, time: candidate.time },
    site: { key: site.key, name: site.name, url: site.url },
    visitor: profile,
    cart,
    cartTotal: Math.round(cart.reduce((sum, line) => sum + line.price * line.qty, 0) * 100) / 100,
    scenario: candidate.context.scenario,
    event: candidate.context.event,
    props: candidate.context.props,
  };
}
