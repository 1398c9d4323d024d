import type { Clock, VisitorRef } from '../../events/index.js';
import type { Logger } from '../../observability/index.js';
import type { EngineMetrics } from '../../observability/index.js';
import { readCart, type Candidate, type DeliveryPolicy, type Verdict } from '../../scenarios/index.js';
import type { WindowStore } from '../../state/index.js';
import type { EventSink } from '../../warehouse/index.js';
import type { DeliveryContext, EmailPort, PopinPort, SiteProfile } from '../ports.js';
import { triggerId } from './trigger-id.js';

export interface TriggerDeliveryDeps {
  store: WindowStore;
  sink: EventSink;
  popins: PopinPort;
  emails: EmailPort;
  clock: Clock;
  logger: Logger;
  metrics: EngineMetrics;
  sites: ReadonlyMap<string, { profile: SiteProfile; policy: DeliveryPolicy }>;
}

/**
 * From candidates to deliveries: runs the site's policy (priority, consent, then cooldown and
 * caps claimed in the store), records every verdict in the warehouse and hands what fired to
 * its channel. Email sends are tracked, not awaited, so a slow SMTP server never delays acks.
 */
export class TriggerDelivery {
  constructor(private readonly deps: TriggerDeliveryDeps) {}

  async deliver(visitor: VisitorRef, candidates: readonly Candidate[], profile: Record<string, string>): Promise<void> {
    const site = this.deps.sites.get(visitor.site);
    if (site === undefined) return;
    const screening = site.policy.screen(candidates, profile);
    const outcomes =
      screening.claims.length === 0
        ? []
        : await this.deps.store.claim({ visitor, now: this.deps.clock.now(), claims: screening.claims });
    const verdicts = [...screening.verdicts, ...site.policy.settle(screening.pending, outcomes)];
    for (const verdict of verdicts) await this.record(visitor, site.profile, verdict, profile);
  }

  private async record(visitor: VisitorRef, site: SiteProfile, verdict: Verdict, profile: Record<string, string>): Promise<void> {
    const { candidate, channel, status, reason } = verdict;
    const id = triggerId(visitor, candidate.scenario.id, candidate.eventId);
    const now = this.deps.clock.now();
    this.deps.metrics.triggers.inc({ scenario: candidate.scenario.id, status, reason });
    this.deps.sink.write('triggers', {
      trigger_id: id,
      site: visitor.site,
      visitor_id: visitor.visitor,
      scenario_id: candidate.scenario.id,
      variant: 'A',
      channel,
      status,
      reason,
      event_id: candidate.eventId,
      time: candidate.time,
      context: JSON.stringify(candidate.context),
    });
    if (status !== 'fired') return;
    const action = candidate.scenario.action;
    if (action.channel === 'popin') {
      const context = deliveryContext(id, site, candidate, profile, {});
      const shown = await this.deps.popins.show(visitor, action, context);
      this.recordDelivery(visitor, id, candidate, 'popin', shown ? 'sent' : 'no_connection', '', now);
      return;
    }
    const snapshot = await this.deps.store.snapshot(visitor);
    const context = deliveryContext(id, site, candidate, snapshot.profile, snapshot.cart);
    await this.deps.emails.enqueue({ triggerId: id, visitor, to: snapshot.profile.email ?? '', action, context });
  }

  private recordDelivery(
    visitor: VisitorRef,
    trigger: string,
    candidate: Candidate,
    channel: string,
    status: string,
    detail: string,
    time: number,
  ): void {
    this.deps.metrics.deliveries.inc({ channel, status });
    this.deps.sink.write('deliveries', {
      delivery_id: `${trigger}:${status}`,
      trigger_id: trigger,
      site: visitor.site,
      visitor_id: visitor.visitor,
      scenario_id: candidate.scenario.id,
      channel,
      status,
      detail,
      time,
    });
  }
}

function deliveryContext(
  trigger: string,
  site: SiteProfile,
  candidate: Candidate,
  profile: Record<string, string>,
  cartHash: Record<string, string>,
): DeliveryContext {
  const cart = readCart(cartHash);
  return {
    trigger: { id: trigger, scenario: candidate.scenario.id, time: candidate.time },
    site: { key: site.key, name: site.name, url: site.url },
    visitor: profile,
    cart,
    cartTotal: Math.round(cart.reduce((sum, line) => sum + line.price * line.qty, 0) * 100) / 100,
    scenario: candidate.context.scenario,
    event: candidate.context.event,
    props: candidate.context.props,
  };
}
