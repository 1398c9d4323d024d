import { Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { ManualClock, type TrackedEvent, type VisitorRef } from '../events/index.js';
import { createLogger, createMetrics } from '../observability/index.js';
import { DeliveryPolicy, ScenarioCompiler, ScenarioEvaluator } from '../scenarios/index.js';
import { MemoryWindowStore, TIMER_LEASE_MS, type ApplyRequest, type ApplyResult, type ClaimOutcome, type ClaimRequest, type DueTimer, type VisitorSnapshot } from '../state/index.js';
import { CollectingSink } from './replay/collecting-sink.js';
import { TriggerPipeline } from './trigger-pipeline.js';
import type { PopinOutcome, PopinPort, WebhookPort } from './ports.js';

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const SEARCH_LEFT = new ScenarioCompiler().compileOrThrow(
  's.yaml',
  'id: search-left\nwhen: { absence: { after: { event: search }, missing: { event: product }, within: 1m } }\nthen: { popin: { title: t } }\n',
)!;

/** A pipeline over the two test scenarios; engines sharing a store are pipelines given the same `store`. */
function pipelineWith(
  popins: PopinPort,
  clock: ManualClock,
  {
    sink = new CollectingSink(),
    store = new MemoryWindowStore(undefined, clock),
    scenarios = [SEARCH_LEFT, VIEWED_TWICE],
    webhooks = { enqueue: async () => undefined } as WebhookPort,
    popinCap = { limit: 10, within: 60_000 },
    batches = { batchSize: 1, batchesInFlight: 1 },
  } = {},
) {
  const evaluator = new ScenarioEvaluator(scenarios);
  const metrics = createMetrics(new Registry(), false);
  const caps = { popin: popinCap, email: { limit: 10, within: 60_000 }, webhook: { limit: 10, within: 60_000 } };
  const profile = { key: 'shop', name: 'Shop', url: 'https://shop.example', from: 'a@b.c', requireVerifiedEmail: true };
  const pipeline = new TriggerPipeline(
    {
      scenarios: { current: () => evaluator },
      store,
      sink,
      clock,
      logger: createLogger('silent'),
      metrics,
      popins,
      emails: { enqueue: async () => undefined },
      webhooks,
      sites: new Map([['shop', { profile, policy: new DeliveryPolicy({ caps, requireVerifiedEmail: true }) }]]),
    },
    { ...batches, timerPollInterval: 60_000, timerBatch: 10 },
  );
  return { pipeline, sink, metrics };
}

const VIEWED_TWICE = new ScenarioCompiler().compileOrThrow(
  'v.yaml',
  'id: viewed-twice\nwhen: { count: { event: product, per: id, atLeast: 2, within: 1h } }\nthen: { popin: { title: t } }\n',
)!;

const search: TrackedEvent = { id: 'e1', site: 'shop', visitor: 'ann', session: 's', type: 'search', time: T0, receivedAt: T0, url: '', props: { q: 'mug' } };
const reply = { ack: () => undefined, fail: () => undefined };

/** Ann searches at T0 and views nothing: search-left arms its timer for T0 + 1 min. */
async function annSearches(pipeline: TriggerPipeline): Promise<void> {
  await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [search], receivedAt: T0, reply });
}

async function fireAt(pipeline: TriggerPipeline, clock: ManualClock, time: number): Promise<void> {
  clock.set(time);
  await pipeline.fireDueTimers();
}

/** A pop-in channel that shows every pop-in and records its visitor. */
function recording(shown: string[]): PopinPort {
  return { show: async (visitor) => (shown.push(visitor.visitor), 'sent') };
}

/** A pop-in channel whose first show fails (the socket registry blinked); later shows record the visitor. */
function failingOnce(shown: string[]): PopinPort {
  let attempts = 0;
  return {
    show: async (visitor) => {
      if (++attempts === 1) throw new Error('socket registry unavailable');
      shown.push(visitor.visitor);
      return 'sent';
    },
  };
}

describe('TriggerPipeline timers', () => {
  test('a timer whose delivery fails is armed again and delivered on a later pass', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const popins = failingOnce(shown);
    const { pipeline } = pipelineWith(popins, clock);
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [search], receivedAt: T0, reply });
    clock.set(T0 + 60_000);
    await pipeline.fireDueTimers();
    expect(shown).toEqual([]);
    clock.set(T0 + 60_000 + 30_000);
    await pipeline.fireDueTimers();
    expect(shown).toEqual(['ann']);
  });

  test('a delivered timer fires once, also once its lease would have ended', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline } = pipelineWith(recording(shown), clock);
    await annSearches(pipeline);
    await fireAt(pipeline, clock, T0 + 60_000);
    await fireAt(pipeline, clock, T0 + 60_000 + TIMER_LEASE_MS);
    expect(shown).toEqual(['ann']);
  });

  test('a timer taken by an engine that died before delivering it fires from another engine once its lease ends', async () => {
    const clock = new ManualClock(T0);
    const store = new MemoryWindowStore(undefined, clock);
    const dying = pipelineWith({ show: () => new Promise<PopinOutcome>(() => undefined) }, clock, { store }).pipeline;
    const shown: string[] = [];
    const surviving = pipelineWith(recording(shown), clock, { store }).pipeline;
    await annSearches(surviving);
    clock.set(T0 + 60_000);
    void dying.fireDueTimers();
    await surviving.fireDueTimers();
    expect(shown).toEqual([]);
    await fireAt(surviving, clock, T0 + 60_000 + TIMER_LEASE_MS);
    expect(shown).toEqual(['ann']);
  });

  test('a timer whose payload cannot be read is dropped, and the other timers of its pass fire once', async () => {
    const clock = new ManualClock(T0);
    const store = new MemoryWindowStore(undefined, clock);
    const shown: string[] = [];
    const { pipeline } = pipelineWith(recording(shown), clock, { store });
    const unreadable = { kind: 'timer.arm', timer: 'absence:search-left', due: T0 + 1_000, payload: 'not json' } as const;
    await store.apply({ visitor: { site: 'shop', visitor: 'cid' }, now: T0, events: [{ eventId: 'c1', ops: [unreadable] }] });
    await annSearches(pipeline);
    await fireAt(pipeline, clock, T0 + 60_000);
    await fireAt(pipeline, clock, T0 + 60_000 + TIMER_LEASE_MS);
    expect(shown).toEqual(['ann']);
  });

  test('stop waits for the timer pass under way', async () => {
    const clock = new ManualClock(T0);
    let release: () => void = () => undefined;
    const popins: PopinPort = { show: () => new Promise((resolve) => (release = () => resolve('sent'))) };
    const { pipeline, sink } = pipelineWith(popins, clock);
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [search], receivedAt: T0, reply });
    clock.set(T0 + 60_000);
    const pass = pipeline.fireDueTimers();
    await new Promise((resolve) => setTimeout(resolve, 10));
    let stopped = false;
    const stopping = pipeline.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(stopped).toBe(false);
    release();
    await Promise.all([pass, stopping]);
    expect(sink.rows.deliveries.map((row) => row.status)).toEqual(['sent']);
  });
});

describe('TriggerPipeline frames', () => {
  test('a firing whose delivery fails after its events were stored is delivered at the next try, and the frame is acked', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const popins = failingOnce(shown);
    const { pipeline } = pipelineWith(popins, clock);
    const view = (id: string, at: number): TrackedEvent => ({ ...search, id, type: 'product', time: at, receivedAt: at, props: { id: 'mug' } });
    const acked: string[] = [];
    const failed: string[] = [];
    const replies = { ack: (ids: readonly string[]) => acked.push(...ids), fail: (code: string) => failed.push(code) };
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [view('v1', T0), view('v2', T0 + 1)], receivedAt: T0, reply: replies });
    expect(acked).toEqual(['v1', 'v2']);
    expect(failed).toEqual([]);
    expect(shown).toEqual([]);
    clock.set(T0 + 30_001);
    await pipeline.fireDueTimers();
    expect(shown).toEqual(['ann']);
  });
});

/** Viewed twice, for anonymous visitors only: a visitor filter, which reads the profile, so its lane is claimed after the apply. */
const anonymous = (channel: 'popin' | 'webhook') =>
  new ScenarioCompiler().compileOrThrow(
    'a.yaml',
    `id: anonymous-${channel}\nwhen: { count: { event: product, per: id, atLeast: 2, within: 1h } }\nvisitor: { identified: false }\nthen: { ${channel === 'popin' ? 'popin: { title: t }' : 'webhook: { url: "https://hooks.example/a" }'} }\n`,
  )!;

describe('TriggerPipeline deliveries interrupted after their claims', () => {
  /** Ann's two views of the mug fire this; its cooldown and a cap of one pop-in are claimed before the pop-in is shown. */
  const VIEWED_TWICE_COOLING = new ScenarioCompiler().compileOrThrow(
    'c.yaml',
    'id: viewed-twice\ncooldown: 1d\nwhen: { count: { event: product, per: id, atLeast: 2, within: 1h } }\nthen: { popin: { title: t } }\n',
  )!;
  const SEARCH_LEFT_COOLING = new ScenarioCompiler().compileOrThrow(
    'sc.yaml',
    'id: search-left\ncooldown: 1d\nwhen: { absence: { after: { event: search }, missing: { event: product }, within: 1m } }\nthen: { popin: { title: t } }\n',
  )!;
  /** Claimed after the frame's apply (its visitor filter reads the profile), with a cooldown. */
  const ANONYMOUS_COOLING = new ScenarioCompiler().compileOrThrow(
    'ac.yaml',
    'id: anonymous-popin\ncooldown: 1d\nwhen: { count: { event: product, per: id, atLeast: 2, within: 1h } }\nvisitor: { identified: false }\nthen: { popin: { title: t } }\n',
  )!;
  const POPIN_JOURNEY = new ScenarioCompiler().compileOrThrow(
    'j.yaml',
    'id: viewed-journey\ncooldown: 1d\nwhen: { count: { event: product, per: id, atLeast: 2, within: 1h } }\njourney:\n  - popin: { title: t }\n  - wait: 1d\n    webhook: { url: "https://hooks.example/a" }\n',
  )!;
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
    const { pipeline, sink } = pipelineWith(recording(shown), clock, { scenarios: [SEARCH_LEFT_COOLING], store: new ClaimReplyLostOnce(undefined, clock) });
    await annSearches(pipeline);
    await fireAt(pipeline, clock, T0 + 60_000);
    await fireAt(pipeline, clock, T0 + 90_000);
    expect(shown).toEqual([]);
    expect(sink.rows.triggers.map((row) => `${row.status} ${row.reason}`)).toEqual(['suppressed cooldown']);
  });

  test('a delivered timer whose lease was not settled is not delivered again when the lease ends', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline } = pipelineWith(recording(shown), clock, { scenarios: [SEARCH_LEFT_COOLING], store: new SettleFailingOnce(undefined, clock) });
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
    const { pipeline, sink } = pipelineWith(recording(shown), clock, { scenarios: [ANONYMOUS_COOLING], store: new SnapshotFailingOnce(undefined, clock) });
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
    const { pipeline } = pipelineWith(recording(shown), clock, { scenarios: [POPIN_JOURNEY], store: new FollowUpFailingOnce(undefined, clock), webhooks });
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

/** The in-process store whose first claim is taken but its reply lost (the connection dropped on the way back). */
class ClaimReplyLostOnce extends MemoryWindowStore {
  private lost = false;

  override async claim(request: ClaimRequest): Promise<ClaimOutcome[]> {
    const outcomes = await super.claim(request);
    if (this.lost) return outcomes;
    this.lost = true;
    throw new Error('connection lost');
  }
}

/** The in-process store whose first settle of taken timers fails (the engine died after the hand-over, say). */
class SettleFailingOnce extends MemoryWindowStore {
  private failed = false;

  override settleTimers(timers: readonly DueTimer[]): Promise<void> {
    if (this.failed) return super.settleTimers(timers);
    this.failed = true;
    return Promise.reject(new Error('store unavailable'));
  }
}

/** The in-process store whose first snapshot read fails. */
class SnapshotFailingOnce extends MemoryWindowStore {
  private failed = false;

  override snapshot(visitor: VisitorRef): Promise<VisitorSnapshot> {
    if (this.failed) return super.snapshot(visitor);
    this.failed = true;
    return Promise.reject(new Error('store unavailable'));
  }
}

/** The in-process store whose first apply of a firing's follow-ups (`after:<trigger>`) fails. */
class FollowUpFailingOnce extends MemoryWindowStore {
  private failed = false;

  override apply(request: ApplyRequest): Promise<ApplyResult> {
    if (this.failed || !request.events[0]?.eventId.startsWith('after:')) return super.apply(request);
    this.failed = true;
    return Promise.reject(new Error('store unavailable'));
  }
}

/** The in-process store holding the applies of one visitor until released (a paused Redis Cluster node, say). */
class SlowVisitorStore extends MemoryWindowStore {
  static readonly visitor = 'slow';
  private held: Array<() => void> = [];

  override async apply(request: ApplyRequest): Promise<ApplyResult> {
    if (request.visitor.visitor === SlowVisitorStore.visitor) await new Promise<void>((resolve) => this.held.push(resolve));
    return super.apply(request);
  }

  release(): void {
    for (const resume of this.held) resume();
    this.held = [];
  }
}

/** The in-process store, counting the calls a pop-in would otherwise wait on after the frame's apply. */
class CountingStore extends MemoryWindowStore {
  calls = { claim: 0, snapshot: 0 };
  /** The keys of every check claimed in a call of its own. */
  claimedKeys: string[] = [];

  override claim(request: ClaimRequest): Promise<ClaimOutcome[]> {
    this.calls.claim++;
    this.claimedKeys.push(...request.claims.flatMap((claim) => claim.checks.map((check) => check.key)));
    return super.claim(request);
  }

  override snapshot(visitor: VisitorRef): Promise<VisitorSnapshot> {
    this.calls.snapshot++;
    return super.snapshot(visitor);
  }
}

describe('TriggerPipeline claims', () => {
  const views = [
    { ...search, id: 'v1', type: 'product' as const, props: { id: 'mug' } },
    { ...search, id: 'v2', type: 'product' as const, props: { id: 'mug' } },
  ];

  /** Ann views the mug twice in one frame, on a counting store, with these scenarios. */
  async function annViewsTwice(scenarios = [SEARCH_LEFT, VIEWED_TWICE]) {
    const clock = new ManualClock(T0);
    const store = new CountingStore(undefined, clock);
    const shown: string[] = [];
    const { pipeline, sink } = pipelineWith(recording(shown), clock, { store, scenarios });
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: views, receivedAt: T0, reply });
    return { store, sink, shown };
  }

  test('a frame firing a pop-in takes its claim in its own apply, and reads no snapshot', async () => {
    const { store, sink, shown } = await annViewsTwice();
    expect(shown).toEqual(['ann']);
    expect(sink.rows.triggers.map((row) => row.status)).toEqual(['fired']);
    expect(store.calls).toEqual({ claim: 0, snapshot: 0 });
  });

  test('a scenario whose screening reads the profile (a visitor filter) is claimed after the apply', async () => {
    const { store, shown } = await annViewsTwice([anonymous('popin')]);
    expect(shown).toEqual(['ann']);
    expect(store.calls).toEqual({ claim: 1, snapshot: 1 });
  });

  test('such a scenario takes its whole lane after the apply: the pop-in it competes with is claimed there too', async () => {
    const { store, sink } = await annViewsTwice([VIEWED_TWICE, anonymous('popin')]);
    expect(sink.rows.triggers.map((row) => `${row.scenario_id} ${row.status} ${row.reason}`).sort()).toEqual(['anonymous-popin suppressed priority', 'viewed-twice fired ']);
    expect(store.calls).toEqual({ claim: 1, snapshot: 1 });
  });

  test('a pop-in fired beside a scenario of another lane claimed after the apply is claimed with the apply', async () => {
    const { store, sink } = await annViewsTwice([VIEWED_TWICE, anonymous('webhook')]);
    expect(sink.rows.triggers.map((row) => `${row.scenario_id} ${row.status}`).sort()).toEqual(['anonymous-webhook fired', 'viewed-twice fired']);
    expect(store.claimedKeys).toEqual(['cap:webhook']);
  });
});

describe('TriggerPipeline pop-in timing', () => {
  const view = (id: string): TrackedEvent => ({ ...search, id, type: 'product', props: { id: 'mug' } });
  const twoViews = (arrivedAt?: number) => ({ visitor: { site: 'shop', visitor: 'ann' }, events: [view('v1'), view('v2')], receivedAt: T0, arrivedAt, reply });
  const timed = async (metrics: ReturnType<typeof createMetrics>) => (await metrics.popinSeconds.get()).values.find((sample) => sample.metricName === 'tripwire_popin_seconds_count')?.value;

  test('a pop-in fired by a frame from a socket is timed from when the gateway read the frame', async () => {
    const { pipeline, metrics } = pipelineWith(recording([]), new ManualClock(T0));
    await pipeline.process(twoViews(performance.now() - 2));
    expect(await timed(metrics)).toBe(1);
    const sum = (await metrics.popinSeconds.get()).values.find((sample) => sample.metricName === 'tripwire_popin_seconds_sum')!.value;
    // In seconds: the frame arrived 2 ms before; in milliseconds the sum would be 2 or more.
    expect(sum).toBeGreaterThanOrEqual(0.002);
    expect(sum).toBeLessThan(2);
  });

  test('a pop-in that found no open connection is not timed', async () => {
    const { pipeline, metrics } = pipelineWith({ show: async () => 'no_connection' }, new ManualClock(T0));
    await pipeline.process(twoViews(performance.now()));
    expect(await timed(metrics)).toBe(0);
  });

  test('a pop-in fired by a frame that no socket brought (a replay) is not timed', async () => {
    const shown: string[] = [];
    const { pipeline, metrics } = pipelineWith(recording(shown), new ManualClock(T0));
    await pipeline.process(twoViews());
    expect(shown).toEqual(['ann']);
    expect(await timed(metrics)).toBe(0);
  });

  test('a pop-in fired by a due timer is not timed', async () => {
    const clock = new ManualClock(T0);
    const shown: string[] = [];
    const { pipeline, metrics } = pipelineWith(recording(shown), clock);
    await annSearches(pipeline);
    await fireAt(pipeline, clock, T0 + 60_001);
    expect(shown).toEqual(['ann']);
    expect(await timed(metrics)).toBe(0);
  });
});

describe('TriggerPipeline turn batches and shutdown', () => {
  const page = (id: string): TrackedEvent => ({ ...search, id, type: 'page', props: {} });
  const frameOf = (id: string, replies: string[]) => ({
    visitor: { site: 'shop', visitor: 'ann' },
    events: [page(id)],
    receivedAt: T0,
    reply: { ack: (ids: readonly string[]) => void replies.push(`ack ${ids.join(',')}`), fail: (code: string) => void replies.push(`fail ${code}`) },
  });

  test('frames submitted in one turn are each acked, in one batch', async () => {
    const clock = new ManualClock(T0);
    const { pipeline } = pipelineWith({ show: async () => 'sent' }, clock);
    pipeline.start();
    const replies: string[] = [];
    for (const id of ['f1', 'f2', 'f3']) pipeline.submit(frameOf(id, replies));
    await pipeline.stop();
    expect(replies.sort()).toEqual(['ack f1', 'ack f2', 'ack f3']);
  });

  test('frames waiting on a slow store call do not hold back the frames of later turns', async () => {
    const clock = new ManualClock(T0);
    const store = new SlowVisitorStore(undefined, clock);
    const { pipeline } = pipelineWith({ show: async () => 'sent' }, clock, { store, batches: { batchSize: 4, batchesInFlight: 2 } });
    pipeline.start();
    const replies: string[] = [];
    const frameFor = (visitor: string, id: string) => ({ ...frameOf(id, replies), visitor: { site: 'shop', visitor } });
    for (let turn = 0; turn < 3; turn++) {
      pipeline.submit(frameFor(SlowVisitorStore.visitor, `slow${turn}`));
      pipeline.submit(frameFor('ann', `ann${turn}`));
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(replies.sort()).toEqual(['ack ann0', 'ack ann1', 'ack ann2']);
    store.release();
    await pipeline.stop();
    expect(replies).toHaveLength(6);
  });

  test('a turn\'s frames start after those of an earlier turn still waiting for room', async () => {
    const clock = new ManualClock(T0);
    const store = new SlowVisitorStore(undefined, clock);
    const { pipeline } = pipelineWith({ show: async () => 'sent' }, clock, { store, batches: { batchSize: 2, batchesInFlight: 1 } });
    pipeline.start();
    const replies: string[] = [];
    const frameFor = (visitor: string, id: string) => ({ ...frameOf(id, replies), visitor: { site: 'shop', visitor } });
    const turn = async (...frames: Array<[string, string]>) => {
      for (const [visitor, id] of frames) pipeline.submit(frameFor(visitor, id));
      await new Promise((resolve) => setImmediate(resolve));
    };
    await turn([SlowVisitorStore.visitor, 'slow0']);
    await turn(['ann', 'ann1'], ['ann', 'ann2']);
    await turn(['ann', 'ann3']);
    store.release();
    await pipeline.stop();
    expect(replies.filter((reply) => reply.includes('ann'))).toEqual(['ack ann1', 'ack ann2', 'ack ann3']);
  });

  test('a frame submitted while the engine stops fails with TW_SHUTTING_DOWN, so the client resends it', async () => {
    const clock = new ManualClock(T0);
    const { pipeline } = pipelineWith({ show: async () => 'sent' }, clock);
    pipeline.start();
    const replies: string[] = [];
    await pipeline.stop();
    pipeline.submit(frameOf('late', replies));
    expect(replies).toEqual(['fail TW_SHUTTING_DOWN']);
  });
});
