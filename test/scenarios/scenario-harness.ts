import { afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ManualClock, type TrackedEvent, type VisitorRef } from '../../engine/events/index.js';
import { createReplayPipeline, type EmailOrder, type SiteProfile, type WebhookOrder } from '../../engine/pipeline/index.js';
import type { EventType } from '../../engine/protocol/index.js';
import { DeliveryPolicy, ScenarioCompiler, type PopinAction, type Scenario } from '../../engine/scenarios/index.js';
import { MemoryWindowStore, type WindowStore } from '../../engine/state/index.js';
import { FrozenBetweenCalls } from '../support/frozen-between-calls.js';
import { RedisWindowStore } from '../../engine/state/redis/index.js';
import type { TriggerRow } from '../../engine/warehouse/index.js';
import { redisForTests } from '../support/redis-server.js';

export type StoreKind = 'memory' | 'redis';

/** Start of the virtual day every specification runs in. */
export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface Firing {
  scenario: string;
  visitor: string;
  time: number;
  status: string;
  reason: string;
  variant: string;
  eventId: string;
}

export interface ScenarioHarness {
  clock: ManualClock;
  /** The store the pipeline runs on, to set up state an earlier version of the engine left. */
  store: WindowStore;
  /** Sends one event at an absolute virtual time (due timers before it fire first), on a page of the shop. */
  send(visitor: string, type: EventType, props?: Record<string, unknown>, at?: number, id?: string, url?: string): Promise<void>;
  /** Sends several events of one visitor as one frame, arriving at the last one's time. */
  sendFrame(visitor: string, events: ReadonlyArray<{ type: EventType; props: Record<string, unknown>; at: number; id: string }>): Promise<void>;
  /** Moves virtual time, firing every timer due by then. */
  advanceTo(time: number): Promise<void>;
  /** Every trigger recorded so far, fired or suppressed. */
  triggers(): Firing[];
  fired(): Firing[];
  popins: Array<{ visitor: string; action: PopinAction }>;
  emails: EmailOrder[];
  webhooks: WebhookOrder[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  caps?: Partial<Record<'popin' | 'email' | 'webhook', { limit: number; within: number }>>;
  requireVerifiedEmail?: boolean;
  /** Claims every firing in a call after the frame's apply, as for scenarios whose screening reads the profile. */
  claimsAfterApply?: boolean;
  /** On the in-process store: every visitor frozen after every call (test/support/frozen-between-calls.ts). */
  frozenBetweenCalls?: boolean;
}

/** The delivery policy with no claims taken in a frame's apply. */
class ClaimingAfterApply extends DeliveryPolicy {
  override claimsAhead(): undefined {
    return undefined;
  }
}

const SITE = 'shop';

/**
 * The stores every specification runs on; Redis is skipped (with its reason) only outside CI.
 * Called at the top of a spec file: the Redis it spawns is stopped after that file's tests.
 */
export async function storeKinds(): Promise<Array<{ kind: StoreKind; skip: string | undefined; url: string | undefined }>> {
  const redis = await redisForTests();
  if ('url' in redis) afterAll(() => redis.stop());
  return [
    { kind: 'memory', skip: undefined, url: undefined },
    { kind: 'redis', skip: 'skip' in redis ? redis.skip : undefined, url: 'url' in redis ? redis.url : undefined },
  ];
}

export function compileScenarios(...files: string[]): Scenario[] {
  const compiler = new ScenarioCompiler();
  return files.map((text, i) => compiler.compileOrThrow(`scenario-${i}.yaml`, text)!);
}

/** The live pipeline, on a virtual clock, with channels that record what they were asked to deliver. */
export async function openHarness(kind: StoreKind, redisUrl: string | undefined, scenarios: Scenario[], options: HarnessOptions = {}): Promise<ScenarioHarness> {
  const clock = new ManualClock(T0);
  const memory = (): WindowStore => {
    const store = new MemoryWindowStore(undefined, clock);
    return options.frozenBetweenCalls === true ? new FrozenBetweenCalls(store) : store;
  };
  const store: WindowStore =
    kind === 'memory'
      ? memory()
      : await RedisWindowStore.connect(redisUrl!, { prefix: `spec-${randomBytes(5).toString('hex')}` });
  const popins: ScenarioHarness['popins'] = [];
  const emails: EmailOrder[] = [];
  const webhooks: WebhookOrder[] = [];
  const caps = {
    popin: { limit: 1000, within: HOUR },
    email: { limit: 1000, within: HOUR },
    webhook: { limit: 1000, within: HOUR },
    ...options.caps,
  };
  const site: SiteProfile = { key: SITE, name: 'Shop', url: 'https://shop.example', from: 'shop@example.test', requireVerifiedEmail: options.requireVerifiedEmail ?? true };
  const { replay, sink } = createReplayPipeline({
    scenarios,
    store,
    clock,
    sites: [site],
    caps,
    popins: {
      show: async (visitor, action) => {
        popins.push({ visitor: visitor.visitor, action });
        return 'sent';
      },
    },
    emails: { enqueue: async (order) => void emails.push(order) },
    webhooks: { enqueue: async (order) => void webhooks.push(order) },
    ...(options.claimsAfterApply === true ? { policy: (_site, policyOptions) => new ClaimingAfterApply(policyOptions) } : {}),
  });
  let sequence = 0;
  const toFiring = (row: TriggerRow): Firing => ({
    scenario: row.scenario_id,
    visitor: row.visitor_id,
    time: row.time,
    status: row.status,
    reason: row.reason,
    variant: row.variant,
    eventId: row.event_id,
  });
  return {
    clock,
    store,
    popins,
    emails,
    webhooks,
    send: async (visitor, type, props = {}, at = clock.now(), id = `e${++sequence}`, url = 'https://shop.example/') => {
      const event: TrackedEvent = {
        id,
        site: SITE,
        visitor,
        session: 's1',
        type,
        time: at,
        receivedAt: at,
        url,
        props: props as TrackedEvent['props'],
      };
      await replay.event(event);
    },
    sendFrame: (visitor, events) =>
      replay.frame(
        events.map(({ type, props, at, id }) => ({ id, site: SITE, visitor, session: 's1', type, time: at, receivedAt: at, url: 'https://shop.example/', props: props as TrackedEvent['props'] })),
      ),
    advanceTo: (time) => replay.advanceTo(time),
    triggers: () => sink.rows.triggers.map(toFiring),
    fired: () => sink.rows.triggers.filter((row) => row.status === 'fired').map(toFiring),
    close: () => store.close(),
  };
}

export const visitor = (name: string): VisitorRef => ({ site: SITE, visitor: name });

/** Identify with a verified email and email consent: what an email scenario needs. */
export async function signIn(harness: ScenarioHarness, who: string, at?: number): Promise<void> {
  await harness.send(who, 'identify', { email: `${who}@example.test`, verified: true }, at);
  await harness.send(who, 'consent', { email: true }, at);
}
