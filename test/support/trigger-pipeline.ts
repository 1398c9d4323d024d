/*
 * A TriggerPipeline over the in-process store, real scenarios and recording channels, for the
 * pipeline's specifications (engine/pipeline/*.test.ts).
 */
import { Registry } from 'prom-client';
import { ManualClock, type TrackedEvent } from '../../engine/events/index.js';
import { createLogger, createMetrics, type Logger } from '../../engine/observability/index.js';
import type { Frame } from '../../engine/pipeline/frame.js';
import type { EmailPort, PopinPort, WebhookPort } from '../../engine/pipeline/ports.js';
import { CollectingSink } from '../../engine/pipeline/replay/collecting-sink.js';
import { TriggerPipeline } from '../../engine/pipeline/trigger-pipeline.js';
import { DeliveryPolicy, ScenarioCompiler, ScenarioEvaluator, type Scenario } from '../../engine/scenarios/index.js';
import { MemoryWindowStore, type WindowStore } from '../../engine/state/index.js';
import type { EventSink } from '../../engine/warehouse/index.js';

export const T0 = Date.UTC(2026, 0, 1);
export const DAY = 86_400_000;
export const SEARCH_LEFT = new ScenarioCompiler().compileOrThrow(
  's.yaml',
  'id: search-left\nwhen: { absence: { after: { event: search }, missing: { event: product }, within: 1m } }\nthen: { popin: { title: t } }\n',
)!;

export interface PipelineSetup<S extends EventSink> {
  /** Where rows go: a CollectingSink unless given (a real BatchingSink, say). */
  sink?: S;
  store?: WindowStore;
  scenarios?: Scenario[];
  webhooks?: WebhookPort;
  emails?: EmailPort;
  popinCap?: { limit: number; within: number };
  batches?: { batchSize: number; batchesInFlight: number };
  logger?: Logger;
}

/** A pipeline over the two test scenarios; engines sharing a store are pipelines given the same `store`. */
export function pipelineWith<S extends EventSink = CollectingSink>(
  popins: PopinPort,
  clock: ManualClock,
  {
    sink = new CollectingSink() as EventSink as S,
    store = new MemoryWindowStore(undefined, clock) as WindowStore,
    scenarios = [SEARCH_LEFT, VIEWED_TWICE],
    webhooks = { enqueue: async () => undefined } as WebhookPort,
    emails = { enqueue: async () => undefined } as EmailPort,
    popinCap = { limit: 10, within: 60_000 },
    batches = { batchSize: 1, batchesInFlight: 1 },
    logger = createLogger('silent'),
  }: PipelineSetup<S> = {},
) {
  let evaluator = new ScenarioEvaluator(scenarios);
  const metrics = createMetrics(new Registry(), false);
  const caps = { popin: popinCap, email: { limit: 10, within: 60_000 }, webhook: { limit: 10, within: 60_000 } };
  const profile = { key: 'shop', name: 'Shop', url: 'https://shop.example', from: 'a@b.c', requireVerifiedEmail: true };
  const pipeline = new TriggerPipeline(
    {
      scenarios: { current: () => evaluator },
      store,
      sink,
      clock,
      logger,
      metrics,
      popins,
      emails,
      webhooks,
      sites: new Map([['shop', { profile, policy: new DeliveryPolicy({ caps, requireVerifiedEmail: true }) }]]),
    },
    { ...batches, timerPollInterval: 60_000, timerBatch: 10 },
  );
  /** The scenarios as a reload (a changed scenario file) leaves them. */
  const reload = (next: Scenario[]): void => {
    evaluator = new ScenarioEvaluator(next);
  };
  return { pipeline, sink, metrics, reload };
}

export const VIEWED_TWICE = new ScenarioCompiler().compileOrThrow(
  'v.yaml',
  'id: viewed-twice\nwhen: { count: { event: product, per: id, atLeast: 2, within: 1h } }\nthen: { popin: { title: t } }\n',
)!;

export const search: TrackedEvent = { id: 'e1', site: 'shop', visitor: 'ann', session: 's', type: 'search', time: T0, receivedAt: T0, url: '', props: { q: 'mug' } };
export const reply = { ack: () => undefined, fail: () => undefined };

/** Ann searches at T0 and views nothing: search-left arms its timer for T0 + 1 min. */
export async function annSearches(pipeline: TriggerPipeline): Promise<void> {
  await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [search], receivedAt: T0, reply });
}

export async function fireAt(pipeline: TriggerPipeline, clock: ManualClock, time: number): Promise<void> {
  clock.set(time);
  await pipeline.fireDueTimers();
}

/** A pop-in channel that shows every pop-in and records its visitor. */
export function recording(shown: string[]): PopinPort {
  return { show: async (visitor) => (shown.push(visitor.visitor), 'sent') };
}

/** A pop-in channel whose first show fails (the socket registry blinked); later shows record the visitor. */
export function failingOnce(shown: string[]): PopinPort {
  let attempts = 0;
  return {
    show: async (visitor) => {
      if (++attempts === 1) throw new Error('socket registry unavailable');
      shown.push(visitor.visitor);
      return 'sent';
    },
  };
}

/** Viewed twice, for anonymous visitors only: a visitor filter, which reads the profile, so its lane is claimed after the apply. */
export const anonymous = (channel: 'popin' | 'webhook') =>
  new ScenarioCompiler().compileOrThrow(
    'a.yaml',
    `id: anonymous-${channel}\nwhen: { count: { event: product, per: id, atLeast: 2, within: 1h } }\nvisitor: { identified: false }\nthen: { ${channel === 'popin' ? 'popin: { title: t }' : 'webhook: { url: "https://hooks.example/a" }'} }\n`,
  )!;


/** Calls of the in-process store a test makes fail once. */
type FailingCall = 'apply' | 'claim' | 'snapshot' | 'settleTimers';

/**
 * The in-process store whose first `method` call that `matches` fails (Redis blinked); with
 * `afterRunning`, once the call did its work (the connection dropped with the reply on its way).
 */
export function storeFailingOnce<M extends FailingCall>(
  clock: ManualClock,
  method: M,
  { matches = () => true, afterRunning = false }: { matches?: (argument: Parameters<MemoryWindowStore[M]>[0]) => boolean; afterRunning?: boolean } = {},
): MemoryWindowStore {
  const store = new MemoryWindowStore(undefined, clock);
  const original = (store[method] as (argument: Parameters<MemoryWindowStore[M]>[0]) => Promise<unknown>).bind(store);
  let failed = false;
  const failingFirst = async (argument: Parameters<MemoryWindowStore[M]>[0]): Promise<unknown> => {
    if (failed || !matches(argument)) return original(argument);
    failed = true;
    if (afterRunning) await original(argument);
    throw new Error(afterRunning ? 'connection lost' : 'store unavailable');
  };
  return Object.assign(store, { [method]: failingFirst });
}

/** Ann's purchase of order-42 as event `id`. */
export function purchase(id: string): TrackedEvent {
  return { id, site: 'shop', visitor: 'ann', session: 's', type: 'purchase', time: T0, receivedAt: T0, url: '', props: { order: 'order-42', value: 80 } };
}

/** Ann's frame of `events`, and how its reply ended. */
export function frameOf(events: TrackedEvent[]): { frame: Frame; outcome: () => string } {
  let outcome = 'none';
  const frame = { visitor: { site: 'shop', visitor: 'ann' }, events, receivedAt: T0, reply: { ack: () => (outcome = 'acked'), fail: (code: string) => (outcome = `failed ${code}`) } };
  return { frame, outcome: () => outcome };
}
