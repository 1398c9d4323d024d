import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { ManualClock, type TrackedEvent, type VisitorRef } from '../events/index.js';
import { createLogger, type EngineMetrics } from '../observability/index.js';
import { ScenarioCompiler, type Scenario } from '../scenarios/index.js';
import { MemoryWindowStore, TIMER_LEASE_MS, type ApplyRequest, type ApplyResult, type ClaimOutcome, type ClaimRequest, type VisitorSnapshot } from '../state/index.js';
import type { PopinOutcome, PopinPort } from './ports.js';
import {
  SEARCH_LEFT,
  T0,
  VIEWED_TWICE,
  anonymous,
  annSearches,
  failingOnce,
  fireAt,
  pipelineWith,
  recording,
  reply,
  search,
} from '../../test/support/trigger-pipeline.js';

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
  const timed = async (metrics: EngineMetrics) => (await metrics.popinSeconds.get()).values.find((sample) => sample.metricName === 'tripwire_popin_seconds_count')?.value;

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
  /** A frame of `visitor` (default ann) holding one page view, whose replies land in `replies`. */
  const frameOf = (id: string, replies: string[], visitor = 'ann') => ({
    visitor: { site: 'shop', visitor },
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
    for (let turn = 0; turn < 3; turn++) {
      pipeline.submit(frameOf(`slow${turn}`, replies, SlowVisitorStore.visitor));
      pipeline.submit(frameOf(`ann${turn}`, replies));
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
    const turn = async (...frames: Array<[string, string]>) => {
      for (const [visitor, id] of frames) pipeline.submit(frameOf(id, replies, visitor));
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

describe('TriggerPipeline and an error of its own', () => {
  test('a frame meeting an error that is no store\'s (a scenario it cannot plan) fails with TW_INTERNAL, logged with its stack', async () => {
    const clock = new ManualClock(T0);
    const birthday = new ScenarioCompiler().compileOrThrow('b.yaml', 'id: birthday\nwhen: { date: { trait: birthday, hour: 9 } }\nthen: { popin: { title: t } }\n')!;
    // The compiler refuses this zone; made by hand, it makes planning throw a RangeError, as any defect would.
    const broken: Scenario = { ...birthday, trigger: { kind: 'date', trait: 'birthday', hour: 9, timezone: 'Europe/Pari' } };
    const lines: string[] = [];
    const log = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const { pipeline, sink, metrics } = pipelineWith(recording([]), clock, { scenarios: [broken], logger: createLogger('error', log) });
    const replies: string[] = [];
    const identify: TrackedEvent = { ...search, id: 'i1', type: 'identify', props: { email: 'ann@example.test', traits: { birthday: '1990-03-14' } } };
    await pipeline.process({
      visitor: { site: 'shop', visitor: 'ann' },
      events: [identify],
      receivedAt: T0,
      reply: { ack: (ids) => void replies.push(`ack ${ids.join(',')}`), fail: (code) => void replies.push(`fail ${code}`) },
    });
    expect(replies).toEqual(['fail TW_INTERNAL']);
    expect(sink.rows.events).toEqual([]);
    expect((await metrics.framesFailed.get()).values).toEqual([expect.objectContaining({ labels: { code: 'TW_INTERNAL' }, value: 1 })]);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({ msg: 'frame failed; the client will resend', err: expect.objectContaining({ type: 'RangeError', stack: expect.stringContaining('RangeError') }) }),
    ]);
  });
});
