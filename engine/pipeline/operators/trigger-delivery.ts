import type { Clock, VisitorRef } from '../../events/index.js';
import { TripwireError } from '../../errors.js';
import type { EngineMetrics, Logger } from '../../observability/index.js';
import { readCart, type Candidate, type Channel, type ClaimsAhead, type DeliveryPolicy, type Prospect, type ScenarioEvaluator, type Screening, type Verdict } from '../../scenarios/index.js';
import type { ClaimOutcome, EventOps, StateOp, VisitorSnapshot, WindowStore } from '../../state/index.js';
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
  /** The claims the frame's apply took (see claimsAhead): then no claim is sent, nor a snapshot read. */
  claimed?: ClaimedAhead;
}

/** The outcomes of a delivery's claims, and the visitor's snapshot read beside them. */
interface TakenClaims {
  outcomes: ClaimOutcome[];
  snapshot: PromiseSettledResult<VisitorSnapshot | undefined>;
}

/** Claims a frame's apply took, with the store's outcomes and the cart it returned. */
export interface ClaimedAhead {
  ahead: ClaimsAhead;
  outcomes: readonly ClaimOutcome[];
  cart: Record<string, string> | undefined;
}

/**
 * A delivery that failed once its screening was done, with what is left to try again; every
 * verdict already decided is recorded. Tried again, a claimed firing must not claim again
 * (Candidate.claimed), or it would meet its own cooldown and be lost.
 */
export class DeliveryInterrupted extends Error {
  constructor(
    /** Firings whose cooldowns and caps were granted, not handed to their channels (the one that failed included). */
    readonly claimed: readonly Candidate[],
    /** Winners of their lanes whose claims were not taken: the claim call failed. */
    readonly unclaimed: readonly Candidate[],
    cause: unknown,
    /** What a firing handed over had still to arm (its journey's next step): the arming failed. */
    readonly followUps: readonly StateOp[] = [],
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Delivery interrupted, ${claimed.length} claimed firing(s) not handed over and ${unclaimed.length} not claimed: ${reason}`, { cause });
    this.name = 'DeliveryInterrupted';
  }
}

/**
 * From candidates to deliveries: runs the site's policy (filters, variants, consent, then
 * cooldown, caps and priority claimed in the store), records every verdict in the warehouse, hands
 * what fired to its channel, and arms what a firing leaves behind (the next journey step; a
 * yearly trigger's next occurrence, whatever the verdict).
 * Email and webhooks record their own delivery states.
 */
export class TriggerDelivery {
  constructor(private readonly deps: TriggerDeliveryDeps) {}

  /**
   * The claims a frame's prospects need, for the store to take with the frame's apply: a frame
   * that fires a pop-in then waits on one store round trip. Undefined when their screening
   * depends on the profile the frame leaves; they are then claimed after the apply.
   */
  claimsAhead(visitor: VisitorRef, prospects: readonly Prospect[]): ClaimsAhead | undefined {
    return this.deps.sites.get(visitor.site)?.policy.claimsAhead(prospects);
  }

  /**
   * Claims what the frame's apply did not (`origin.claimed`): without `origin.snapshot`, profile
   * and cart are read alongside that claim, so a pop-in waits on one round trip, not two. A failure
   * of the claim or of a hand-over throws DeliveryInterrupted.
   */
  async deliver(visitor: VisitorRef, evaluator: ScenarioEvaluator, candidates: readonly Candidate[], profile: Record<string, string>, origin: DeliveryOrigin = {}): Promise<void> {
    const site = this.deps.sites.get(visitor.site);
    if (site === undefined) return;
    // Before any verdict is recorded: if arming fails, every firing is tried again whole.
    await this.armNextOccurrences(visitor, evaluator, candidates);
    const screening = site.policy.screen(visitor, candidates, profile);
    const ahead = origin.claimed === undefined ? undefined : site.policy.outcomesAhead(screening.pending, origin.claimed.ahead, origin.claimed.outcomes);
    let taken: TakenClaims;
    try {
      taken = await this.claim(visitor, screening, ahead, profile, origin);
    } catch (error) {
      throw this.interruptedAtClaim(visitor, site.policy, screening, ahead, error);
    }
    const verdicts = [...screening.verdicts, ...site.policy.settle(screening.pending, taken.outcomes)];
    // One reading: a message's `trigger.time` is its trigger row's time.
    const decidedAt = this.deps.clock.now();
    for (const verdict of verdicts) this.record(visitor, verdict, decidedAt);
    const fired = verdicts.filter((verdict) => verdict.status === 'fired');
    if (fired.length === 0) return;
    const snapshot = taken.snapshot;
    if (snapshot.status === 'rejected') throw new DeliveryInterrupted(fired.map((verdict) => asDrawn(verdict, decidedAt)), [], snapshot.reason);
    if (snapshot.value === undefined) throw new TripwireError('TW_INTERNAL', `A firing of ${visitor.site}/${visitor.visitor} was granted without a snapshot to render it.`);
    for (let i = 0; i < fired.length; i++) {
      const verdict = fired[i]!;
      const trigger = triggerId(visitor, verdict.candidate.scenario.id, verdict.candidate.eventId);
      try {
        await this.handOver(visitor, site.profile, verdict, trigger, snapshot.value, origin.arrivedAt, decidedAt);
      } catch (error) {
        throw new DeliveryInterrupted(fired.slice(i).map((verdict) => asDrawn(verdict, decidedAt)), [], error);
      }
      // After the hand-over: the visitor's pop-in does not wait on the journey's next step, and a
      // step never handed over has none. A firing handed over is not handed over again: when the
      // arming fails, only the arming is left to try again, due as this hand-over made it.
      const followUps = evaluator.afterFire(verdict.candidate, verdict.variant, this.deps.clock.now());
      try {
        await this.armFollowUps(visitor, followUps, trigger);
      } catch (error) {
        throw new DeliveryInterrupted(fired.slice(i + 1).map((verdict) => asDrawn(verdict, decidedAt)), [], error, followUps);
      }
    }
  }

  /**
   * The claim call failed. The screening's verdicts are final, and so are the claims the frame's
   * apply took; the first of each other lane claims at the next try. The rest of its lane are
   * recorded as priority losers, not tried again: alone at the retry, they would win.
   */
  private interruptedAtClaim(visitor: VisitorRef, policy: DeliveryPolicy, screening: Screening, ahead: ReadonlyArray<ClaimOutcome | undefined> | undefined, cause: unknown): DeliveryInterrupted {
    const decidedAt = this.deps.clock.now();
    for (const verdict of screening.verdicts) this.record(visitor, verdict, decidedAt);
    const claimed: Candidate[] = [];
    const { retried, outranked } = policy.retriedAfterFailedClaim(screening.pending.filter((_, i) => ahead?.[i] === undefined));
    for (const verdict of outranked) this.record(visitor, verdict, decidedAt);
    const unclaimed = retried.map((verdict) => verdict.candidate);
    screening.pending.forEach((verdict, i) => {
      const outcome = ahead?.[i];
      if (outcome === undefined) return;
      // Recorded now, as fired or not: the try that claimed a firing records it (see record).
      const [settled] = policy.settle([verdict], [outcome]);
      this.record(visitor, settled!, decidedAt);
      if (settled!.status === 'fired') claimed.push(asDrawn(settled!, decidedAt));
    });
    return new DeliveryInterrupted(claimed, unclaimed, cause);
  }

  /**
   * One outcome per pending verdict, and the read of the snapshot a firing renders (its value
   * undefined when none can fire). A failed snapshot read does not undo the claims granted beside
   * it: they are settled, and their firings wait for the next try as claimed.
   */
  private async claim(visitor: VisitorRef, screening: Screening, ahead: ReadonlyArray<ClaimOutcome | undefined> | undefined, profile: Record<string, string>, origin: DeliveryOrigin): Promise<TakenClaims> {
    const { pending, claims } = screening;
    const rest = ahead === undefined ? claims : claims.filter((_, i) => ahead[i] === undefined);
    if (ahead !== undefined && rest.length === 0) {
      const cart = origin.claimed!.cart;
      const snapshot = origin.snapshot ?? (cart === undefined ? undefined : { profile, cart });
      return { outcomes: ahead as ClaimOutcome[], snapshot: { status: 'fulfilled', value: snapshot } };
    }
    const [claimed, snapshot] = await Promise.allSettled([
      // Counted from now, when the engine fires, whatever the time of the events that fired it.
      rest.length === 0 ? [] : this.deps.store.claim({ visitor, now: this.deps.clock.now(), claims: rest }),
      origin.snapshot ?? (pending.length === 0 ? undefined : this.deps.store.snapshot(visitor)),
    ]);
    if (claimed.status === 'rejected') throw claimed.reason;
    let next = 0;
    return { outcomes: pending.map((_, i) => ahead?.[i] ?? claimed.value[next++]!), snapshot };
  }

  /**
   * The verdict in the metrics and the warehouse, before anything is handed over, at `decidedAt`,
   * when the engine decided (its clock's now): not the firing's time, which for an event resent
   * late or a timer fired late is hours before, so analysts would credit the message with orders
   * placed before it went. The event's own time stays in the events row `event_id` names. A firing tried
   * again after an interrupted delivery was recorded as fired by the try that claimed it: if what
   * changed meanwhile (a consent withdrawn, a visitor filter no longer met) stops it, that is a
   * step of its delivery, not a second decision.
   */
  private record(visitor: VisitorRef, verdict: Verdict, decidedAt: number): void {
    const { candidate, channel, status, reason, variant } = verdict;
    const id = triggerId(visitor, candidate.scenario.id, candidate.eventId);
    if (candidate.claimed) {
      if (status === 'suppressed') this.recordDelivery(visitor, id, candidate, channel, 'suppressed', reason);
      return;
    }
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
      time: decidedAt,
      context: JSON.stringify(candidate.context),
    });
  }

  /**
   * Hands a firing to its channel; `snapshot` is the one read for this delivery, `decidedAt` the
   * time of this try's decision. A firing tried again after its delivery failed keeps the time its
   * trigger row was recorded at, when it has it (see Candidate.decidedAt): the message's
   * `trigger.time` is its trigger row's.
   */
  private async handOver(visitor: VisitorRef, site: SiteProfile, verdict: Verdict, trigger: string, snapshot: VisitorSnapshot, arrivedAt: number | undefined, decidedAt: number): Promise<void> {
    const { candidate, variant, action } = verdict;
    const context = deliveryContext(trigger, variant, candidate.decidedAt ?? decidedAt, site, candidate, snapshot.profile, snapshot.cart);
    if (action.channel === 'popin') {
      const outcome = await this.deps.popins.show(visitor, action, context);
      if (outcome === 'sent' && arrivedAt !== undefined) this.deps.metrics.popinSeconds.observe((performance.now() - arrivedAt) / 1000);
      this.recordDelivery(visitor, trigger, candidate, 'popin', outcome);
    } else if (action.channel === 'email') {
      const { transactional } = candidate.scenario;
      await this.deps.emails.enqueue({ triggerId: trigger, visitor, to: snapshot.profile.email ?? '', transactional, action, context });
    } else {
      await this.deps.webhooks.enqueue({ triggerId: trigger, visitor, action, context });
    }
  }

  /**
   * A yearly trigger's next occurrence, whatever this one's verdict: one store call, idempotent by
   * the trigger id like the follow-ups. Only timers bring such firings, so a frame never waits on it.
   */
  private async armNextOccurrences(visitor: VisitorRef, evaluator: ScenarioEvaluator, candidates: readonly Candidate[]): Promise<void> {
    const events: EventOps[] = [];
    for (const candidate of candidates) {
      const ops = evaluator.nextOccurrence(candidate);
      if (ops.length > 0) events.push({ eventId: `next:${triggerId(visitor, candidate.scenario.id, candidate.eventId)}`, ops });
    }
    if (events.length === 0) return;
    await this.deps.store.apply({ visitor, now: this.deps.clock.now(), events, withProfile: false });
  }

  /** One store call, idempotent by the trigger id: a retried firing arms its follow-ups once. */
  private async armFollowUps(visitor: VisitorRef, ops: StateOp[], trigger: string): Promise<void> {
    if (ops.length === 0) return;
    await this.deps.store.apply({ visitor, now: this.deps.clock.now(), events: [{ eventId: `after:${trigger}`, ops }] });
  }

  /** A step of a delivery the pipeline itself takes (email and webhooks record theirs). */
  private recordDelivery(visitor: VisitorRef, trigger: string, candidate: Candidate, channel: Channel, status: string, detail = ''): void {
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
      time: this.deps.clock.now(),
    });
  }
}

/**
 * A claimed firing with the A/B variant and the time it was recorded with: tried again, it is
 * delivered as that variant, not drawn again (the scenario's groups may have changed meanwhile),
 * and its message says when it was decided. A firing already tried again keeps its first time.
 */
function asDrawn(verdict: Verdict, decidedAt: number): Candidate {
  return { ...verdict.candidate, variant: verdict.variant, decidedAt: verdict.candidate.decidedAt ?? decidedAt };
}

function deliveryContext(
  trigger: string,
  variant: string,
  decidedAt: number,
  site: SiteProfile,
  candidate: Candidate,
  profile: Record<string, string>,
  cartHash: Record<string, string>,
): DeliveryContext {
  const cart = readCart(cartHash);
  return {
    trigger: { id: trigger, scenario: candidate.scenario.id, variant, time: decidedAt },
    site: { key: site.key, name: site.name, url: site.url },
    visitor: profile,
    cart,
    cartTotal: Math.round(cart.reduce((sum, line) => sum + line.price * line.qty, 0) * 100) / 100,
    scenario: candidate.context.scenario,
    event: candidate.context.event,
    props: candidate.context.props,
  };
}
