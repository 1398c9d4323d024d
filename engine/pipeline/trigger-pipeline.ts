import { Subject, Subscription, exhaustMap, from, merge, tap, timer } from 'rxjs';
import type { Clock, VisitorRef } from '../events/index.js';
import { isTripwireError } from '../errors.js';
import type { EngineMetrics, Logger } from '../observability/index.js';
import type { Candidate, ScenarioEvaluator } from '../scenarios/index.js';
import type { ApplyResult, DueTimer, StateOp, VisitorSnapshot, WindowStore } from '../state/index.js';
import type { EventSink } from '../warehouse/index.js';
import type { Frame } from './frame.js';
import { conversionRow, eventRow, orderSeenId, popinFeedbackRow } from './operators/event-rows.js';
import { DeliveryInterrupted, TriggerDelivery, type ClaimedAhead, type TriggerDeliveryDeps } from './operators/trigger-delivery.js';
import { turnBatches } from './operators/turn-batches.js';
import { EventsInDoubt } from './events-in-doubt.js';

/** A timer whose delivery fails is tried again this much later, this many times at most. */
const TIMER_RETRY_DELAY_MS = 30_000;
const TIMER_MAX_FAILURES = 5;

/** Gives the evaluator of the scenarios in force; a reload swaps it between two frames. */
export interface ScenarioSource {
  current(): ScenarioEvaluator;
}

export interface PipelineOptions {
  /** Frames of one event-loop turn processed together, at most; each waits on one store round trip. */
  batchSize: number;
  /** Frames in flight are at most batchSize × batchesInFlight (counted frame by frame). */
  batchesInFlight: number;
  timerPollInterval: number;
  timerBatch: number;
}

export interface PipelineDeps extends TriggerDeliveryDeps {
  scenarios: ScenarioSource;
  store: WindowStore;
  sink: EventSink;
  clock: Clock;
  logger: Logger;
  metrics: EngineMetrics;
}

/**
 * The engine's stream graph: frames from the gateway, gathered per event-loop turn, and due
 * timers from the store merge into one flow of candidates, each frame costing one store round
 * trip: a frame's apply also takes the claims of the scenarios it may fire, lane by lane; a lane
 * whose screening reads the visitor's profile is claimed in a second call when one fires. Processing errors become failed frames (the client
 * resends), never a dead stream. Frames travel in turn batches because an inner subscription per
 * frame cost more CPU than the in-process store's work on it.
 */
export class TriggerPipeline {
  private readonly frames = new Subject<Frame>();
  private readonly delivery: TriggerDelivery;
  private subscription: Subscription | undefined;
  private stopping = false;
  /** Frames submitted and not finished: stop() waits for them. */
  private pending = 0;
  /** Frames started and not finished, at most maxInFlight (a larger batch alone excepted). */
  private inFlight = 0;
  private readonly maxInFlight: number;
  /** Turn batches waiting for frames in flight to finish, in arrival order. */
  private readonly waiting: Array<readonly Frame[]> = [];
  private idle: (() => void) | undefined;
  private timerPass: Promise<void> | undefined;
  private readonly inDoubt = new EventsInDoubt();

  constructor(
    private readonly deps: PipelineDeps,
    private readonly options: PipelineOptions,
  ) {
    this.delivery = new TriggerDelivery(deps);
    this.maxInFlight = options.batchSize * options.batchesInFlight;
  }

  start(): void {
    const frames$ = this.frames.pipe(
      turnBatches(this.options.batchSize),
      tap((batch) => this.admit(batch)),
    );
    const timers$ = timer(0, this.options.timerPollInterval).pipe(exhaustMap(() => from(this.fireDueTimers())));
    this.subscription = merge(frames$, timers$).subscribe({
      error: (error: unknown) => this.deps.logger.fatal({ err: error }, 'pipeline stopped'),
    });
  }

  submit(frame: Frame): void {
    if (this.stopping) {
      frame.reply.fail('TW_SHUTTING_DOWN', 'the engine is shutting down; the frame will be resent');
      return;
    }
    this.pending++;
    this.frames.next(frame);
  }

  /**
   * Starts a turn's frames together (in one synchronous run, which a store gathers into one
   * call), or holds the batch while the frames in flight are at their bound. The bound counts
   * frames, not batches: a frame is done when its own store call is, so frames waiting on one
   * slow Redis Cluster node do not hold back the frames of others in their batches.
   */
  private admit(batch: readonly Frame[]): void {
    // Behind a waiting batch even when there is room: a visitor's frames start in arrival order.
    if (this.waiting.length > 0 || !this.hasRoomFor(batch)) this.waiting.push(batch);
    else this.begin(batch);
  }

  private hasRoomFor(batch: readonly Frame[]): boolean {
    return this.inFlight === 0 || this.inFlight + batch.length <= this.maxInFlight;
  }

  private begin(batch: readonly Frame[]): void {
    this.inFlight += batch.length;
    // process() turns every failure into a failed frame; it never rejects.
    for (const frame of batch) void this.process(frame).then(this.frameDone);
  }

  private readonly frameDone = (): void => {
    this.inFlight--;
    this.pending--;
    while (this.waiting.length > 0 && this.hasRoomFor(this.waiting[0]!)) this.begin(this.waiting.shift()!);
    if (this.pending === 0) this.idle?.();
  };

  /**
   * Fires the timers due by `until` (default: now). A replay passes `reach`, called with each
   * timer's due time before it fires: timers are then taken one at a time, earliest first, so a
   * virtual clock can stand at each due time as the live engine's clock would have.
   */
  async fireDueTimers(until?: number, reach?: (due: number) => void): Promise<void> {
    const pass = this.takeAndFire(until, reach);
    this.timerPass = pass;
    try {
      await pass;
    } finally {
      if (this.timerPass === pass) this.timerPass = undefined;
    }
  }

  private async takeAndFire(until: number | undefined, reach: ((due: number) => void) | undefined): Promise<void> {
    const { store, clock, logger } = this.deps;
    const batch = reach === undefined ? this.options.timerBatch : 1;
    let due: DueTimer[];
    do {
      try {
        due = await store.takeDueTimers(until ?? clock.now(), batch);
      } catch (error) {
        logger.error({ err: error }, 'taking due timers failed; retrying at the next poll');
        if (reach !== undefined) throw error;
        return;
      }
      const evaluator = this.deps.scenarios.current();
      // Each lease ends as soon as its firing is out, not with the batch: a long batch must not
      // outlast the leases of the timers it already delivered.
      const settling: Array<Promise<void>> = [];
      for (const timer of due) {
        // A store may hand a timer over before another visitor's that came due earlier (Redis
        // looks at a visitor again at a lease's end, before its next due): a replay fires those
        // first, so its clock, which never goes back, passes each due time in order.
        if (reach !== undefined) await this.takeAndFire(timer.due - 1, reach);
        reach?.(timer.due);
        if (await this.fireTimer(evaluator, timer, reach !== undefined)) settling.push(this.settle(timer, this.deps.sink.whenDurable(), reach !== undefined));
      }
      await Promise.all(settling);
      // A firing can arm a follow-up that is already due (a journey step): take until none is left.
    } while (due.length > 0);
  }

  /**
   * A taken timer stays leased in the store until settled here, so an engine that dies before
   * this point loses no firing: the timer is due again when its lease ends (at least once: the
   * second firing has the same trigger id, which the mailer's send ledger sends once). If
   * settling fails, the same happens. Settled, the timer never fires again: it waits for the
   * journal append of the rows its firing wrote (`rowsDurable`, shared by every row of a turn),
   * or a crash in between would lose them.
   */
  private async settle(timer: DueTimer, rowsDurable: Promise<void> | undefined, replaying: boolean): Promise<void> {
    await rowsDurable;
    try {
      await this.deps.store.settleTimers([timer]);
    } catch (error) {
      if (replaying) throw error;
      this.deps.logger.error({ err: error, timer: timer.timer, visitor: timer.visitor }, 'settling a fired timer failed; it fires again when its lease ends');
    }
  }

  /**
   * Delivers a taken timer's firing; when delivery fails, arms the timer again for a later try.
   * False when even that failed: the timer is left unsettled, to be due again when its lease ends.
   */
  private async fireTimer(evaluator: ScenarioEvaluator, timer: DueTimer, replaying: boolean): Promise<boolean> {
    const { store, clock, logger } = this.deps;
    let candidate: Candidate | undefined;
    try {
      candidate = evaluator.fromTimer(timer);
    } catch (error) {
      // Kept, it would come back at every lease end and fail the pass it is in each time.
      logger.error({ err: error, timer: timer.timer, visitor: timer.visitor }, 'timer payload cannot be read; dropped');
      return true;
    }
    if (candidate === undefined) {
      logger.warn({ timer: timer.timer, visitor: timer.visitor }, 'timer of a scenario no longer loaded; dropped');
      return true;
    }
    try {
      const snapshot = await store.snapshot(timer.visitor);
      await this.delivery.deliver(timer.visitor, evaluator, [candidate], snapshot.profile, { snapshot });
      return true;
    } catch (error) {
      if (replaying) throw error;
      const retryAt = clock.now() + TIMER_RETRY_DELAY_MS;
      const left = leftToTry(evaluator, error, [candidate], retryAt);
      if (left.retries.length > 0 && candidate.failures + 1 > TIMER_MAX_FAILURES) {
        logger.error({ err: error, timer: timer.timer, visitor: timer.visitor }, `timer failed ${TIMER_MAX_FAILURES} times; dropped`);
        return true;
      }
      const ops = [...left.followUps, ...left.retries];
      if (ops.length === 0) {
        logger.warn({ err: error, timer: timer.timer, visitor: timer.visitor }, 'timer delivery failed after its verdict was recorded; nothing left to try again');
        return true;
      }
      logger.warn({ err: error, timer: timer.timer, visitor: timer.visitor }, left.retries.length > 0 ? 'timer delivery failed; armed again' : 'a delivered firing\'s follow-ups failed to arm; armed again');
      try {
        await store.apply({ visitor: timer.visitor, now: clock.now(), events: [{ eventId: `retry:${timer.timer}:${timer.due}:${retryAt}`, ops }] });
        return true;
      } catch (rearm) {
        logger.error({ err: rearm, timer: timer.timer, visitor: timer.visitor }, 'timer could not be armed again; it fires again when its lease ends');
        return false;
      }
    }
  }

  /**
   * Delivers firings that start from no event of the visitor (a scheduled send to a segment)
   * through the same policies and channels as the others; the caller read the visitor's snapshot.
   */
  async deliverScheduled(visitor: VisitorRef, candidates: readonly Candidate[], snapshot: VisitorSnapshot): Promise<void> {
    await this.delivery.deliver(visitor, this.deps.scenarios.current(), candidates, snapshot.profile, { snapshot });
    // Returns once the firings' rows are in the journal: the scheduler records the send as done after it.
    await this.deps.sink.whenDurable();
  }

  /** Stops taking frames, finishes those in flight and the timer pass under way. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.pending > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    this.subscription?.unsubscribe();
    this.frames.complete();
    // Its failures were logged where they happened (or went to the replay that ran it); here it is only awaited.
    await this.timerPass?.catch(() => undefined);
  }

  /**
   * The frame's events are stored by now, so a resend would be dropped as duplicates: a delivery
   * that fails is parked in the store as a timer, and fires at the next try. Only when even that
   * fails does the frame fail.
   */
  private async deliverOrDefer(frame: Frame, evaluator: ScenarioEvaluator, candidates: Candidate[], profile: Record<string, string>, claimed: ClaimedAhead | undefined): Promise<void> {
    try {
      await this.delivery.deliver(frame.visitor, evaluator, candidates, profile, { arrivedAt: frame.arrivedAt, claimed });
    } catch (error) {
      // A defect, not an outage: parked, the firings would meet the claims already taken for them.
      if (isTripwireError(error) && error.code === 'TW_INTERNAL') throw error;
      const { store, clock, logger } = this.deps;
      const left = leftToTry(evaluator, error, candidates, clock.now() + TIMER_RETRY_DELAY_MS);
      const ops = [...left.followUps, ...left.retries];
      if (ops.length === 0) {
        logger.warn({ err: error, visitor: frame.visitor }, 'delivery failed after its verdicts were recorded; nothing left to try again');
        return;
      }
      logger.warn({ err: error, visitor: frame.visitor }, 'delivery failed; the firings wait in the store for the next try');
      await store.apply({ visitor: frame.visitor, now: clock.now(), events: [{ eventId: `deferred:${frame.events[0]?.id ?? ''}`, ops }] });
    }
  }

  /**
   * Processes one frame to the end (state, triggers, deliveries, ack). The stream calls it for
   * live frames; a replay calls it directly, one frame at a time, in event-time order.
   */
  async process(frame: Frame): Promise<void> {
    const { store, sink, metrics, clock } = this.deps;
    const started = performance.now();
    let unwritten: ReadonlyArray<{ eventId: string }> | undefined;
    try {
      const evaluator = this.deps.scenarios.current();
      const plan = evaluator.plan(frame.visitor, frame.events);
      const ahead = plan.probes.length === 0 ? undefined : this.delivery.claimsAhead(frame.visitor, evaluator.prospects(plan));
      // Each order a purchase names is recorded after the frame's events, as an event without ops: a repeat is a duplicate.
      let events = plan.ops;
      const orderAt: Array<number | undefined> = [];
      frame.events.forEach((event, i) => {
        const eventId = orderSeenId(event);
        if (eventId === undefined) return;
        if (events === plan.ops) events = [...plan.ops];
        orderAt[i] = events.push({ eventId, ops: [] }) - 1;
      });
      // Until its rows are written, a failure leaves the frame's events stored but not in the warehouse.
      unwritten = events;
      const result = await store.apply({ visitor: frame.visitor, now: clock.now(), events, withProfile: plan.probes.length > 0 || plan.yearly.length > 0, claims: ahead?.claims });
      // A yearly timer is armed from the profile the frame left: a second call, for identifies only.
      // A resent frame arms again (its events are duplicates, their profile writes kept), unless
      // this call had run: its events' ids are the identifies'.
      const yearly = evaluator.yearlyArms(plan, result.profile);
      if (yearly.length > 0) await store.apply({ visitor: frame.visitor, now: clock.now(), events: yearly, withProfile: false });
      const settled = this.inDoubt.size === 0 ? undefined : this.settleDoubts(frame, events, result);
      for (let i = 0; i < frame.events.length; i++) {
        const event = frame.events[i]!;
        if (isDuplicate(result, settled, i)) {
          metrics.eventsDuplicate.inc();
          continue;
        }
        metrics.acceptEvent(event.type);
        sink.write('events', eventRow(event));
        const feedback = popinFeedbackRow(event);
        if (feedback !== undefined) sink.write('deliveries', feedback);
        const conversion = conversionRow(event);
        const order = orderAt[i];
        if (conversion !== undefined && (order === undefined || !isDuplicate(result, settled, order))) sink.write('conversions', conversion);
      }
      unwritten = undefined;
      // The turn's journal append comes at the end of the turn, after the delivery: pop-ins do not wait for it.
      const rowsDurable = sink.whenDurable();
      let delivered = false;
      if (plan.probes.length > 0) {
        const candidates = evaluator.candidates(plan, result);
        const claimed = ahead === undefined ? undefined : { ahead, outcomes: result.claims, cart: result.cart };
        if (candidates.length > 0) {
          await this.deliverOrDefer(frame, evaluator, candidates, result.profile, claimed);
          delivered = true;
        }
      }
      // A failed append keeps the rows in memory (the journal is degraded): the frame is acked all the same.
      if (rowsDurable !== undefined) await rowsDurable;
      // Trigger and delivery rows the delivery wrote, in a later turn's append. Only then: the
      // append under way now holds other frames' rows, and waiting for it would slow every ack.
      const deliveryRowsDurable = delivered ? sink.whenDurable() : undefined;
      if (deliveryRowsDurable !== undefined && deliveryRowsDurable !== rowsDurable) await deliveryRowsDurable;
      // Backpressure: while the warehouse holds too many rows in memory, acks (and so clients) wait.
      if (sink.pressure) await sink.whenWritable();
      frame.reply.ack(frame.events.map((event) => event.id));
    } catch (error) {
      // The stores report their outages as TripwireErrors; anything else is a defect of the
      // engine (a scenario it cannot evaluate, say), which the log's stack and TW_INTERNAL name
      // as one, rather than sending the operator to check Redis.
      const code = isTripwireError(error) ? error.code : 'TW_INTERNAL';
      if (unwritten !== undefined) this.inDoubt.remember(frame.visitor, unwritten.map((event) => event.eventId), clock.now());
      metrics.framesFailed.inc({ code });
      this.deps.logger.error({ err: error, visitor: frame.visitor }, 'frame failed; the client will resend');
      frame.reply.fail(code, 'the engine could not process this frame; it will be resent');
    } finally {
      metrics.frameSeconds.observe((performance.now() - started) / 1000);
    }
  }
  /**
   * Which entries of the frame's apply only a failed call of this frame had stored (EventsInDoubt):
   * those that come back duplicates still have their rows to write. Every entry the store answered
   * for leaves doubt, duplicate or not.
   */
  private settleDoubts(frame: Frame, events: ReadonlyArray<{ eventId: string }>, result: ApplyResult): boolean[] {
    const now = this.deps.clock.now();
    const settled = events.map((event) => this.inDoubt.settle(frame.visitor, event.eventId, now));
    const recovered = settled.filter((was, i) => was && result.events[i]?.duplicate === true).length;
    if (recovered > 0) this.deps.logger.info({ visitor: frame.visitor, events: recovered }, 'events a failed store call had stored came back; their rows are written now');
    return settled;
  }
}

/** Entry `i` of the apply is a duplicate to drop: stored before, not only by a failed call of this frame (`settled`). */
function isDuplicate(result: ApplyResult, settled: readonly boolean[] | undefined, i: number): boolean {
  return result.events[i]?.duplicate === true && settled?.[i] !== true;
}

/**
 * What a failed delivery leaves to write: its firings, parked to be tried again at `retryAt`
 * (claimed ones marked so), and what a firing handed over had still to arm.
 */
function leftToTry(evaluator: ScenarioEvaluator, error: unknown, candidates: readonly Candidate[], retryAt: number): { retries: StateOp[]; followUps: readonly StateOp[] } {
  if (!(error instanceof DeliveryInterrupted)) return { retries: evaluator.deferred(candidates, retryAt, false), followUps: [] };
  return { retries: [...evaluator.deferred(error.claimed, retryAt, true), ...evaluator.deferred(error.unclaimed, retryAt, false)], followUps: error.followUps };
}
