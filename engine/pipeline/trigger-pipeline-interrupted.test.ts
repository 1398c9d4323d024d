/*
 * Deliveries interrupted by a failing store or channel after their screening: what is decided
 * stays decided, and what is left is tried again once, never twice.
 */
import { describe, expect, test } from 'vitest';
import { ManualClock, type TrackedEvent } from '../events/index.js';
import { ScenarioCompiler } from '../scenarios/index.js';
import { MemoryWindowStore, TIMER_LEASE_MS, type ClaimOutcome, type ClaimRequest } from '../state/index.js';
import type { EmailPort, PopinPort, WebhookPort } from './ports.js';
import type { TriggerPipeline } from './trigger-pipeline.js';
import {
  DAY,
  SEARCH_LEFT,
  T0,
  VIEWED_TWICE,
  annSearches,
  failingOnce,
  fireAt,
  pipelineWith,
  recording,
  reply,
  search,
  storeFailingOnce,
  anonymous,
} from '../../test/support/trigger-pipeline.js';

describe('TriggerPipeline deliveries interrupted after their claims', () => {
  /** A scenario with a day's cooldown; `lines` are the rest of its YAML. */
  const cooling = (id: string, ...lines: string[]) => new ScenarioCompiler().compileOrThrow(`${id}.yaml`, [`id: ${id}`, 'cooldown: 1d', ...lines, ''].join('\n'))!;
  /** Ann's two views of the mug fire the scenarios with this trigger. */
  const TWO_VIEWS = 'when: { count: { event: product, per: id, atLeast: 2, within: 1h } }';
  const POPIN = 'then: { popin: { title: t } }';
  /** Its cooldown and a cap of one pop-in are claimed before the pop-in is shown. */
  const VIEWED_TWICE_COOLING = cooling('viewed-twice', TWO_VIEWS, POPIN);
  const SEARCH_LEFT_COOLING = cooling('search-left', 'when: { absence: { after: { event: search }, missing: { event: product }, within: 1m } }', POPIN);
  /** Claimed after the frame's apply (its visitor filter reads the profile). */
  const ANONYMOUS_COOLING = cooling('anonymous-popin', TWO_VIEWS, 'visitor: { identified: false }', POPIN);
  const POPIN_JOURNEY = cooling('viewed-journey', TWO_VIEWS, 'journey:\n  - popin: { title: t }\n  - wait: 1d\n    webhook: { url: "https://hooks.example/a" }');
  const VIEWED_TWICE_EMAIL = cooling('viewed-twice-email', TWO_VIEWS, 'then: { email: { subject: s, template: t } }');
  /** For new visitors only: `returning` is judged by the firing's time. */
  const NEW_VISITORS = cooling('new-visitors', TWO_VIEWS, 'visitor: { returning: false }', POPIN);
  /** One variant and a control group of the given share; `visitor` adds a visitor filter (claimed after the apply). */
  const heldOut = (control: string, visitor = '') =>
    cooling('held-out', `control: ${control}`, TWO_VIEWS, visitor, 'variants:\n  - id: a\n    then: { popin: { title: t } }');
  const view = (id: string, at: number): TrackedEvent => ({ ...search, id, type: 'product', time: at, receivedAt: at, props: { id: 'mug' } });

  test('a frame\'s firing is delivered at the next try, not held back by the cooldown it claimed', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline, sink } = pipelineWith(failingOnce(shown), clock, { scenarios: [VIEWED_TWICE_COOLING] });
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [view('v1', T0), view('v2', T0 + 1)], receivedAt: T0, reply });
    await fireAt(pipeline, clock, T0 + 30_001);
    expect(shown).toEqual(['ann']);
    expect(sink.rows.triggers.map((row) => row.status)).toEqual(['fired']);
  });

  test('a due timer\'s firing is delivered at the next try, not held back by the cooldown it claimed', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline } = pipelineWith(failingOnce(shown), clock, { scenarios: [SEARCH_LEFT_COOLING] });
    await annSearches(pipeline);
    await fireAt(pipeline, clock, T0 + 60_000);
    expect(shown).toEqual([]);
    await fireAt(pipeline, clock, T0 + 90_000);
    expect(shown).toEqual(['ann']);
  });

  test('a firing tried again still holds its cooldown against the next occurrence', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline, sink } = pipelineWith(failingOnce(shown), clock, { scenarios: [VIEWED_TWICE_COOLING] });
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [view('v1', T0), view('v2', T0 + 1)], receivedAt: T0, reply });
    await fireAt(pipeline, clock, T0 + 30_001);
    const cup = (id: string, at: number): TrackedEvent => ({ ...view(id, at), props: { id: 'cup' } });
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [cup('v3', T0 + 40_000), cup('v4', T0 + 40_001)], receivedAt: T0 + 40_000, reply });
    expect(shown).toEqual(['ann']);
    expect(sink.rows.triggers.at(-1)).toMatchObject({ status: 'suppressed', reason: 'cooldown' });
  });

  test('a firing whose claim was never taken (the store failed first) claims at the next try', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const store = new ClaimFailingOnce(undefined, clock);
    const { pipeline } = pipelineWith(recording(shown), clock, { scenarios: [SEARCH_LEFT_COOLING], store });
    await annSearches(pipeline);
    await fireAt(pipeline, clock, T0 + 60_000);
    await fireAt(pipeline, clock, T0 + 90_000);
    expect(shown).toEqual(['ann']);
    expect(store.claimedChecks).toEqual([['gate', 'cap']]);
  });

  test('when the claim call fails, a firing that lost on priority is not tried again', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline, sink } = pipelineWith(recording(shown), clock, { scenarios: [VIEWED_TWICE, anonymous('popin')], store: new ClaimFailingOnce(undefined, clock) });
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [view('v1', T0), view('v2', T0 + 1)], receivedAt: T0, reply });
    await fireAt(pipeline, clock, T0 + 30_001);
    expect(shown).toEqual(['ann']);
    expect(sink.rows.triggers.map((row) => `${row.scenario_id} ${row.status} ${row.reason}`)).toEqual(['anonymous-popin suppressed priority', 'viewed-twice fired ']);
  });

  test('when the claim call of another lane fails, a pop-in claimed with the frame\'s apply keeps its claim', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline, sink } = pipelineWith(recording(shown), clock, { scenarios: [VIEWED_TWICE_COOLING, anonymous('webhook')], store: new ClaimFailingOnce(undefined, clock) });
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [view('v1', T0), view('v2', T0 + 1)], receivedAt: T0, reply });
    expect(shown).toEqual([]);
    await fireAt(pipeline, clock, T0 + 30_001);
    expect(shown).toEqual(['ann']);
    expect(sink.rows.triggers.map((row) => `${row.scenario_id} ${row.status}`).sort()).toEqual(['anonymous-webhook fired', 'viewed-twice fired']);
  });

  test('a firing whose claim reply was lost meets its own cooldown at the retry: a message goes at most once', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline, sink } = pipelineWith(recording(shown), clock, { scenarios: [SEARCH_LEFT_COOLING], store: storeFailingOnce(clock, 'claim', { afterRunning: true }) });
    await annSearches(pipeline);
    await fireAt(pipeline, clock, T0 + 60_000);
    await fireAt(pipeline, clock, T0 + 90_000);
    expect(shown).toEqual([]);
    expect(sink.rows.triggers.map((row) => `${row.status} ${row.reason}`)).toEqual(['suppressed cooldown']);
  });

  test('a delivered timer whose lease was not settled is not delivered again when the lease ends', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline } = pipelineWith(recording(shown), clock, { scenarios: [SEARCH_LEFT_COOLING], store: storeFailingOnce(clock, 'settleTimers') });
    await annSearches(pipeline);
    await fireAt(pipeline, clock, T0 + 60_000);
    await fireAt(pipeline, clock, T0 + 60_000 + TIMER_LEASE_MS);
    expect(shown).toEqual(['ann']);
  });

  test('a firing tried again counts its channel\'s cap up to the retry', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const popins: PopinPort = { show: async (_visitor, _action, context) => (shown.push(context.trigger.scenario), 'sent') };
    const { pipeline } = pipelineWith(popins, clock, { scenarios: [SEARCH_LEFT, VIEWED_TWICE], store: new ClaimFailingOnce(undefined, clock), popinCap: { limit: 1, within: 600_000 } });
    await annSearches(pipeline);
    await fireAt(pipeline, clock, T0 + 60_000);
    clock.set(T0 + 70_000);
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [view('v1', T0 + 70_000), view('v2', T0 + 70_001)], receivedAt: T0 + 70_000, reply });
    await fireAt(pipeline, clock, T0 + 90_000);
    expect(shown).toEqual(['viewed-twice']);
  });

  test('a snapshot read that fails beside a granted claim leaves the firing to the next try, claimed', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline, sink } = pipelineWith(recording(shown), clock, { scenarios: [ANONYMOUS_COOLING], store: storeFailingOnce(clock, 'snapshot') });
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [view('v1', T0), view('v2', T0 + 1)], receivedAt: T0, reply });
    expect(shown).toEqual([]);
    await fireAt(pipeline, clock, T0 + 30_001);
    expect(shown).toEqual(['ann']);
    expect(sink.rows.triggers.map((row) => row.status)).toEqual(['fired']);
  });

  test('a pop-in whose journey step failed to arm is not shown again, and the step is armed at the next try', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const hooks: string[] = [];
    const webhooks: WebhookPort = { enqueue: async (message) => void hooks.push(message.visitor.visitor) };
    const { pipeline } = pipelineWith(recording(shown), clock, { scenarios: [POPIN_JOURNEY], store: storeFailingOnce(clock, 'apply', { matches: (request) => request.events[0]?.eventId.startsWith('after:') === true }), webhooks });
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [view('v1', T0), view('v2', T0 + 1)], receivedAt: T0, reply });
    expect(shown).toEqual(['ann']);
    await fireAt(pipeline, clock, T0 + 30_001);
    await fireAt(pipeline, clock, T0 + DAY + 1);
    expect(shown).toEqual(['ann']);
    expect(hooks).toEqual(['ann']);
  });

  test('a journey whose first step was never handed over does not go on to its next step', async () => {
    const clock = new ManualClock(T0);
    const hooks: string[] = [];
    const webhooks: WebhookPort = { enqueue: async (message) => void hooks.push(message.visitor.visitor) };
    const failing: PopinPort = { show: async () => Promise.reject(new Error('socket registry unavailable')) };
    const { pipeline } = pipelineWith(failing, clock, { scenarios: [POPIN_JOURNEY], webhooks });
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [view('v1', T0), view('v2', T0 + 1)], receivedAt: T0, reply });
    for (let retry = 1; retry <= 8; retry++) await fireAt(pipeline, clock, T0 + retry * 30_001);
    await fireAt(pipeline, clock, T0 + 2 * DAY);
    expect(hooks).toEqual([]);
  });

  test('a timer\'s firing waiting for its next try is not replaced when the visitor arms that timer again', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline, sink } = pipelineWith(failingOnce(shown), clock, { scenarios: [SEARCH_LEFT_COOLING] });
    await annSearches(pipeline);
    await fireAt(pipeline, clock, T0 + 60_000);
    clock.set(T0 + 70_000);
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [{ ...search, id: 'e2', time: T0 + 70_000, receivedAt: T0 + 70_000 }], receivedAt: T0 + 70_000, reply });
    await fireAt(pipeline, clock, T0 + 90_000);
    expect(shown).toEqual(['ann']);
    await fireAt(pipeline, clock, T0 + 130_000);
    expect(shown).toEqual(['ann']);
    expect(sink.rows.triggers.map((row) => `${row.event_id} ${row.status} ${row.reason}`)).toEqual(['e1 fired ', 'e2 suppressed cooldown']);
  });

  test('a pop-in tried again after its visitor stopped matching the scenario is a suppressed delivery, not a second decision', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline, sink } = pipelineWith(failingOnce(shown), clock, { scenarios: [ANONYMOUS_COOLING] });
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [view('v1', T0), view('v2', T0 + 1)], receivedAt: T0, reply });
    const identify: TrackedEvent = { ...search, id: 'i1', type: 'identify', time: T0 + 10_000, receivedAt: T0 + 10_000, props: { email: 'ann@example.test', verified: true } };
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [identify], receivedAt: T0 + 10_000, reply });
    await fireAt(pipeline, clock, T0 + 30_001);
    expect(shown).toEqual([]);
    expect(sink.rows.triggers.map((row) => row.status)).toEqual(['fired']);
    expect(sink.rows.deliveries.map((row) => `${row.channel} ${row.status} ${row.detail}`)).toEqual(['popin suppressed audience']);
  });

  /** Ann views a product as a new visitor, and again just before her session turns returning; then the retry fires, after it. */
  async function fireAfterTurningReturning(pipeline: TriggerPipeline, clock: ManualClock): Promise<void> {
    const ann = { site: 'shop', visitor: 'ann' };
    await pipeline.process({ visitor: ann, events: [{ ...search, id: 'p1', type: 'page', props: {} }, view('v1', T0)], receivedAt: T0, reply });
    const second = T0 + 30 * 60_000 - 10_000;
    clock.set(second);
    await pipeline.process({ visitor: ann, events: [view('v2', second)], receivedAt: second, reply });
    await fireAt(pipeline, clock, second + 30_000);
  }

  test('a pop-in for new visitors tried again after its visitor turned returning is still delivered: only the clock moved', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline, sink } = pipelineWith(failingOnce(shown), clock, { scenarios: [NEW_VISITORS] });
    await fireAfterTurningReturning(pipeline, clock);
    expect(shown).toEqual(['ann']);
    expect(sink.rows.deliveries.map((row) => `${row.channel} ${row.status}`)).toEqual(['popin sent']);
  });

  test('a pop-in for new visitors whose claim failed is still delivered at the retry after its visitor turned returning', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline, sink } = pipelineWith(recording(shown), clock, { scenarios: [NEW_VISITORS], store: storeFailingOnce(clock, 'claim') });
    await fireAfterTurningReturning(pipeline, clock);
    expect(shown).toEqual(['ann']);
    expect(sink.rows.triggers.map((row) => row.status)).toEqual(['fired']);
  });

  test('a first step tried again is delivered as the variant it was recorded with, though the groups changed meanwhile', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline, sink, reload } = pipelineWith(failingOnce(shown), clock, { scenarios: [heldOut('0%')] });
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [view('v1', T0), view('v2', T0 + 1)], receivedAt: T0, reply });
    reload([heldOut('100%')]);
    await fireAt(pipeline, clock, T0 + 30_001);
    expect(shown).toEqual(['ann']);
    expect(sink.rows.triggers.map((row) => `${row.status} ${row.variant}`)).toEqual(['fired a']);
    expect(sink.rows.deliveries.map((row) => `${row.channel} ${row.status}`)).toEqual(['popin sent']);
  });

  test('a first step claimed with the frame\'s apply, held back by another lane\'s failed claim, keeps its variant', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline, sink, reload } = pipelineWith(recording(shown), clock, { scenarios: [heldOut('0%'), anonymous('webhook')], store: new ClaimFailingOnce(undefined, clock) });
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [view('v1', T0), view('v2', T0 + 1)], receivedAt: T0, reply });
    reload([heldOut('100%'), anonymous('webhook')]);
    await fireAt(pipeline, clock, T0 + 30_001);
    expect(shown).toEqual(['ann']);
    expect(sink.rows.deliveries.map((row) => `${row.channel} ${row.status}`)).toEqual(['popin sent']);
  });

  test('a first step whose snapshot read failed beside its claim keeps its variant', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const anonymousOnly = 'visitor: { identified: false }';
    const { pipeline, sink, reload } = pipelineWith(recording(shown), clock, { scenarios: [heldOut('0%', anonymousOnly)], store: storeFailingOnce(clock, 'snapshot') });
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [view('v1', T0), view('v2', T0 + 1)], receivedAt: T0, reply });
    reload([heldOut('100%', anonymousOnly)]);
    await fireAt(pipeline, clock, T0 + 30_001);
    expect(shown).toEqual(['ann']);
    expect(sink.rows.deliveries.map((row) => `${row.channel} ${row.status}`)).toEqual(['popin sent']);
  });

  test('an email tried again after its visitor withdrew consent is a suppressed delivery, not a second decision', async () => {
    const clock = new ManualClock(T0);
    const sent: string[] = [];
    let attempts = 0;
    const emails: EmailPort = {
      enqueue: async (request) => {
        if (++attempts === 1) throw new Error('mail queue unavailable');
        sent.push(request.to);
      },
    };
    const { pipeline, sink } = pipelineWith(recording([]), clock, { scenarios: [VIEWED_TWICE_EMAIL], emails });
    const at = (id: string, type: TrackedEvent['type'], time: number, props: TrackedEvent['props']): TrackedEvent => ({ ...search, id, type, time, receivedAt: time, props });
    const ann = { site: 'shop', visitor: 'ann' };
    await pipeline.process({ visitor: ann, events: [at('i1', 'identify', T0, { email: 'ann@example.test', verified: true }), at('c1', 'consent', T0, { email: true })], receivedAt: T0, reply });
    await pipeline.process({ visitor: ann, events: [view('v1', T0 + 1), view('v2', T0 + 2)], receivedAt: T0 + 2, reply });
    await pipeline.process({ visitor: ann, events: [at('c2', 'consent', T0 + 10_000, { email: false })], receivedAt: T0 + 10_000, reply });
    await fireAt(pipeline, clock, T0 + 30_003);
    expect(sent).toEqual([]);
    expect(sink.rows.triggers.map((row) => row.status)).toEqual(['fired']);
    expect(sink.rows.deliveries.map((row) => `${row.channel} ${row.status} ${row.detail}`)).toEqual(['email suppressed consent']);
  });
});

describe('the trigger.time of a message tried again', () => {
  const cooling = (id: string, ...lines: string[]) => new ScenarioCompiler().compileOrThrow(`${id}.yaml`, [`id: ${id}`, 'cooldown: 1d', ...lines, ''].join('\n'))!;
  const TWO_VIEWS = 'when: { count: { event: product, per: id, atLeast: 2, within: 1h } }';
  const VIEWED_TWICE_POPIN = cooling('viewed-twice', TWO_VIEWS, 'then: { popin: { title: t } }');
  const VIEWED_TWICE_WEBHOOK = cooling('viewed-twice-webhook', TWO_VIEWS, 'then: { webhook: { url: "https://hooks.example/a" } }');
  const ANONYMOUS_POPIN = cooling('anonymous-popin', TWO_VIEWS, 'visitor: { identified: false }', 'then: { popin: { title: t } }');
  const ann = { site: 'shop', visitor: 'ann' };
  const view = (id: string, at: number): TrackedEvent => ({ ...search, id, type: 'product', time: at, receivedAt: at, props: { id: 'mug' } });
  const annViewsTwice = (pipeline: TriggerPipeline) => pipeline.process({ visitor: ann, events: [view('v1', T0), view('v2', T0 + 1)], receivedAt: T0, reply });

  /** A pop-in channel whose first `failures` shows fail; it records the `trigger.time` of each pop-in it shows. */
  function popinsFailing(failures: number, times: number[]): PopinPort {
    let attempts = 0;
    return {
      show: async (_visitor, _action, context) => {
        if (++attempts <= failures) throw new Error('socket registry unavailable');
        times.push(context.trigger.time);
        return 'sent';
      },
    };
  }

  test('a webhook whose hand-over failed carries its trigger row\'s time at the next try, not the retry\'s', async () => {
    const clock = new ManualClock(T0);
    const times: number[] = [];
    let attempts = 0;
    const webhooks: WebhookPort = {
      enqueue: async (order) => {
        if (++attempts === 1) throw new Error('webhook queue unavailable');
        times.push(order.context.trigger.time);
      },
    };
    const { pipeline, sink } = pipelineWith(recording([]), clock, { scenarios: [VIEWED_TWICE_WEBHOOK], webhooks });
    await annViewsTwice(pipeline);
    await fireAt(pipeline, clock, T0 + 30_001);
    expect(sink.rows.triggers.map((row) => row.time)).toEqual([T0]);
    expect(times).toEqual([T0]);
  });

  test('a pop-in tried again twice still carries the time of its trigger row', async () => {
    const clock = new ManualClock(T0);
    const times: number[] = [];
    const { pipeline, sink } = pipelineWith(popinsFailing(2, times), clock, { scenarios: [VIEWED_TWICE_POPIN] });
    await annViewsTwice(pipeline);
    await fireAt(pipeline, clock, T0 + 30_001);
    await fireAt(pipeline, clock, T0 + 60_002);
    expect(times).toEqual([T0]);
    expect(sink.rows.triggers.map((row) => row.time)).toEqual([T0]);
  });

  test('a pop-in whose snapshot read failed beside its granted claim carries its trigger row\'s time at the next try', async () => {
    const clock = new ManualClock(T0);
    const times: number[] = [];
    const { pipeline, sink } = pipelineWith(popinsFailing(0, times), clock, { scenarios: [ANONYMOUS_POPIN], store: storeFailingOnce(clock, 'snapshot') });
    await annViewsTwice(pipeline);
    await fireAt(pipeline, clock, T0 + 30_001);
    expect(times).toEqual([T0]);
    expect(sink.rows.triggers.map((row) => row.time)).toEqual([T0]);
  });

  test('a pop-in claimed with the frame\'s apply, held back by another lane\'s failed claim, carries its trigger row\'s time at the next try', async () => {
    const clock = new ManualClock(T0);
    const times: number[] = [];
    const { pipeline, sink } = pipelineWith(popinsFailing(0, times), clock, { scenarios: [VIEWED_TWICE_POPIN, anonymous('webhook')], store: new ClaimFailingOnce(undefined, clock) });
    await annViewsTwice(pipeline);
    await fireAt(pipeline, clock, T0 + 30_001);
    expect(times).toEqual([T0]);
    expect(sink.rows.triggers.filter((row) => row.scenario_id === 'viewed-twice').map((row) => row.time)).toEqual([T0]);
  });

  test('a claimed firing parked by the previous build, without its decision time, is delivered carrying the time of the try that delivers it', async () => {
    const clock = new ManualClock(T0);
    const times: number[] = [];
    const store = new MemoryWindowStore(undefined, clock);
    const { pipeline, sink } = pipelineWith(popinsFailing(0, times), clock, { scenarios: [VIEWED_TWICE_POPIN], store });
    // As the previous build parked it after a failed pop-in: claimed (`c`), without the decision time.
    const payload = JSON.stringify({ s: 'viewed-twice', e: ['v2', 'product', T0 + 1, ''], p: { id: 'mug' }, o: 'v2', f: 1, c: 1 });
    await store.apply({ visitor: ann, now: T0, events: [{ eventId: 'deferred:v2', ops: [{ kind: 'timer.arm', timer: 'deferred:viewed-twice:v2', due: T0 + 30_000, payload }] }] });
    await fireAt(pipeline, clock, T0 + 30_001);
    expect(times).toEqual([T0 + 30_001]);
    expect(sink.rows.triggers).toEqual([]);
  });
});

/** The in-process store whose first claim fails (Redis blinked); it records the checks of every claim it took. */
class ClaimFailingOnce extends MemoryWindowStore {
  claimedChecks: string[][] = [];
  private failed = false;

  override claim(request: ClaimRequest): Promise<ClaimOutcome[]> {
    if (!this.failed) {
      this.failed = true;
      return Promise.reject(new Error('store unavailable'));
    }
    this.claimedChecks.push(...request.claims.map((claim) => claim.checks.map((check) => check.kind)));
    return super.claim(request);
  }
}
