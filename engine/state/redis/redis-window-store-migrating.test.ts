/*
 * While a Redis Cluster moves a visitor's slot, the node it leaves still runs the visitor's
 * frames whose keys are all there, under a stricter rule than any other node: a command on a
 * key that has gone fails the script halfway (kept-keys.lua). A frame run there must answer and
 * leave the visitor's state as it would on one Redis.
 */
import fc from 'fast-check';
import { createCluster, createClient, type RedisClientType, type RedisClusterType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisClusterForTests } from '../../../test/support/redis-cluster.js';
import { redisForTests } from '../../../test/support/redis-server.js';
import type { VisitorRef } from '../../events/index.js';
import type { ApplyRequest, ClaimCheck, ConditionalClaim, EventOps, StateOp } from '../window-store.js';
import { RedisWindowStore } from './index.js';
import { KeyNames, VisitorKeys } from './visitor-keys.js';

// A cluster of its own: moving a slot of the shared one would move other test files' visitors.
const cluster = await redisClusterForTests({ own: true });
if ('url' in cluster) afterAll(() => cluster.stop());
const single = await redisForTests();
if ('url' in single) afterAll(() => single.stop());
const servers = 'url' in cluster && 'url' in single ? { cluster: cluster.url, single: single.url } : undefined;

const t0 = 1_800_000_000_000;
// Fresh keys on a shared REDIS_URL, run after run.
const prefix = `tw-leaving-${Date.now().toString(36)}`;
const HOUR = 3_600_000;
const retention = { profileTtl: 30 * 86_400_000, dedupeHorizon: 86_400_000 };

const windowKey = fc.constantFrom('views', 'carts', 'cap:email');
const timerName = fc.constantFrom('ladder', 'absence:s', 'absence:s:g1');
const field = fc.constantFrom('plan', 'sku-1', 'sku-2');
const visitorHash = fc.constantFrom('profile' as const, 'cart' as const);

function opOf(now: number, eventId: string): fc.Arbitrary<StateOp> {
  return fc.oneof(
    fc.record({ kind: fc.constant('window.add' as const), key: windowKey, member: fc.constantFrom('m1', 'setup', eventId), at: fc.constantFrom(now, now - 1_000, now - 2 * HOUR), span: fc.constantFrom(-5, 0, 1, 1_000, HOUR, 100 * HOUR) }),
    fc.record({ kind: fc.constant('window.count' as const), key: windowKey, at: fc.constant(now), span: fc.constantFrom(1_000, HOUR) }),
    fc.record({ kind: fc.constant('timer.arm' as const), timer: timerName, due: fc.integer({ min: now, max: now + 100_000 }), payload: fc.constant('p') }),
    fc.record({ kind: fc.constant('timer.cancel' as const), timer: timerName }),
    fc.record({ kind: fc.constant('timer.cancel' as const), timer: timerName, dueBy: fc.integer({ min: now, max: now + 100_000 }) }),
    fc.record({ kind: fc.constant('timer.cancelPrefix' as const), prefix: fc.constantFrom('absence:s', 'ladder') }),
    fc.record({ kind: fc.constant('timer.cancelPrefix' as const), prefix: fc.constantFrom('absence:s', 'ladder'), dueBy: fc.integer({ min: now, max: now + 100_000 }) }),
    fc.record({ kind: fc.constantFrom('hash.set' as const, 'hash.setIfAbsent' as const), hash: visitorHash, field, value: fc.constant('v') }),
    fc.record({ kind: fc.constant('hash.delete' as const), hash: visitorHash, field }),
    fc.record({ kind: fc.constant('hash.copy' as const), hash: visitorHash, field, from: field }),
    fc.record({ kind: fc.constant('hash.clear' as const), hash: visitorHash }),
    fc.record({ kind: fc.constant('hash.increment' as const), hash: fc.constant('cart' as const), field, by: fc.integer({ min: -3, max: 3 }) }),
  );
}

const check: fc.Arbitrary<ClaimCheck> = fc.oneof(
  fc.record({ kind: fc.constant('gate' as const), key: fc.constantFrom('cool:welcome', 'cool:rescue'), ttl: fc.constantFrom(1_000, 600_000) }),
  fc.record({ kind: fc.constant('cap' as const), key: fc.constant('cap:email'), limit: fc.integer({ min: 1, max: 3 }), span: fc.constantFrom(0, 1_000, 86_400_000), member: fc.constantFrom('c1', 'c2') }),
);

/** One frame: up to three events of up to five ops, and sometimes conditional claims on their results. */
const frame = fc.integer({ min: 0, max: 3 }).chain((hours) => {
  const now = t0 + hours * HOUR + 5_000;
  const event = fc.constantFrom('setup', 'e1', 'e2', 'e3').chain((eventId) => fc.record({ eventId: fc.constant(eventId), ops: fc.array(opOf(now, eventId), { minLength: 1, maxLength: 5 }) }));
  return fc.array(event, { minLength: 1, maxLength: 3 }).chain((events: EventOps[]) => {
    const claim: fc.Arbitrary<ConditionalClaim> = fc.integer({ min: 0, max: events.length - 1 }).chain((index) =>
      fc.record({
        event: fc.constant(index),
        op: fc.integer({ min: 0, max: events[index]!.ops.length - 1 }),
        equals: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
        atLeast: fc.integer({ min: 0, max: 1 }),
        lane: fc.constantFrom('email', 'popin'),
        checks: fc.array(check, { minLength: 1, maxLength: 2 }),
      }),
    );
    return fc.record({ now: fc.constant(now), events: fc.constant(events), claims: fc.array(claim, { maxLength: 2 }) });
  });
});

/** Every key a frame names, so that the node the slot leaves runs the frame instead of refusing it. */
function setup(visitor: VisitorRef): { apply: ApplyRequest; checks: ClaimCheck[] } {
  return {
    apply: {
      visitor,
      now: t0,
      events: [
        {
          eventId: 'setup',
          ops: [
            { kind: 'window.add', key: 'views', member: 'setup', at: t0, span: HOUR },
            { kind: 'timer.arm', timer: 'ladder', due: t0 + 60_000, payload: 'first' },
            { kind: 'hash.increment', hash: 'cart', field: 'sku-1', by: 1 },
          ],
        },
      ],
    },
    checks: [{ kind: 'gate', key: 'cool:welcome', ttl: 600_000 }],
  };
}

type Node = Awaited<ReturnType<RedisClusterType['nodeClient']>>;
type Reader = Pick<RedisClientType, 'sendCommand'> | Node;

/**
 * What a call answered, or the error it failed with: a frame can fail on one Redis too (a cart
 * line set to text, then incremented), keeping the writes it made before the error.
 */
function outcomeOf<T>(call: Promise<T>): Promise<{ value: T } | { error: string }> {
  return call.then(
    (value) => ({ value }),
    (error: Error) => ({ error: error.message }),
  );
}

/** The visitor's keys that exist, by name, with their contents. On the node a slot is leaving, a key that has gone answers ASK. */
async function stateOf(reader: Reader, keys: VisitorKeys): Promise<Map<string, unknown>> {
  const read = (command: string[]): Promise<unknown> =>
    reader.sendCommand(command).catch((error: Error) => {
      if (error.message.startsWith('ASK')) return undefined;
      throw error;
    });
  const state = new Map<string, unknown>();
  for (const [name, key] of Object.entries({ seen: keys.seen, hash: keys.hash, timers: keys.timers, windows: keys.windows, gates: keys.gates })) {
    const type = String(await read(['TYPE', key]));
    if (type === 'hash' || type === 'zset') state.set(name, await read(type === 'hash' ? ['HGETALL', key] : ['ZRANGE', key, '0', '-1', 'WITHSCORES']));
  }
  return state;
}

/**
 * The same contents in every key one Redis holds, and no placeholder left. A key the leaving node
 * holds and one Redis does not is no difference: a frame that emptied the key and wrote it again
 * gave it a new TTL there, which can be 1 ms, where the leaving node kept the key and its TTL
 * (TTLs only bound memory).
 */
function expectSameState(leaving: Map<string, unknown>, oneRedis: Map<string, unknown>): void {
  expect(JSON.stringify([...leaving.values()])).not.toMatch(/(\[|,)""(,|\])/);
  expect(Object.fromEntries([...leaving].filter(([name]) => oneRedis.has(name)))).toEqual(Object.fromEntries(oneRedis));
}

describe.skipIf(servers === undefined)('RedisWindowStore on the node a visitor\'s slot is leaving', () => {
  const names = new KeyNames();
  let admin: RedisClusterType;
  let client: RedisClientType;
  let onCluster: RedisWindowStore;
  let onOneNode: RedisWindowStore;
  let trial = 0;

  beforeAll(async () => {
    admin = createCluster({ rootNodes: [{ url: servers!.cluster }] });
    await admin.connect();
    client = createClient({ url: servers!.single });
    await client.connect();
    onCluster = await RedisWindowStore.connect(servers!.cluster, { prefix, cluster: true, retention });
    onOneNode = await RedisWindowStore.connect(servers!.single, { prefix, retention });
  });
  afterAll(async () => {
    await onCluster?.close();
    await onOneNode?.close();
    await client?.close();
    await admin?.close();
  });

  /** Runs `during` with the slot of `key` migrating to another master, its keys left where they were; then cancels the move. */
  async function whileMigrating<T>(key: string, during: (source: Node) => Promise<T>): Promise<T> {
    const slot = String(await admin.sendCommand(undefined, true, ['CLUSTER', 'KEYSLOT', key]));
    const ranges = (await admin.sendCommand(undefined, true, ['CLUSTER', 'SLOTS'])) as Array<[number, number, [string, number, string]]>;
    const owner = ranges.find(([start, end]) => start <= Number(slot) && Number(slot) <= end)?.[2][2];
    const from = admin.masters.find((master) => master.id === owner);
    const to = admin.masters.find((master) => master.id !== owner);
    if (from === undefined || to === undefined) throw new Error(`no owner of slot ${slot} among the masters, or nowhere to move it`);
    const [source, target] = [await admin.nodeClient(from), await admin.nodeClient(to)];
    await target.sendCommand(['CLUSTER', 'SETSLOT', slot, 'IMPORTING', from.id]);
    await source.sendCommand(['CLUSTER', 'SETSLOT', slot, 'MIGRATING', to.id]);
    try {
      return await during(source);
    } finally {
      await source.sendCommand(['CLUSTER', 'SETSLOT', slot, 'STABLE']);
      await target.sendCommand(['CLUSTER', 'SETSLOT', slot, 'STABLE']);
    }
  }

  it('answers a frame and leaves the visitor\'s state as one Redis does', async () => {
    await fc.assert(
      fc.asyncProperty(frame, async ({ now, events, claims }) => {
        const visitor: VisitorRef = { site: 'shop', visitor: `v${trial++}` };
        const keys = new VisitorKeys(prefix, visitor, names);
        const { apply, checks } = setup(visitor);
        for (const store of [onCluster, onOneNode]) {
          await store.apply(apply);
          await store.claim({ visitor, now: t0, claims: [{ checks }] });
        }
        // Without claims the frame does not name the gates hash: a frame of either kind runs there.
        const request: ApplyRequest = { visitor, now, events, ...(claims.length > 0 ? { claims } : {}) };
        const [leaving, leftState] = await whileMigrating(keys.seen, async (source) => [await outcomeOf(onCluster.apply(request)), await stateOf(source, keys)] as const);
        expect(leaving).toEqual(await outcomeOf(onOneNode.apply(request)));
        expectSameState(leftState, await stateOf(client, keys));
      }),
      { numRuns: 150 },
    );
  });

  it('takes claims and leaves the visitor\'s state as one Redis does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(check, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), async (claims) => {
        const visitor: VisitorRef = { site: 'shop', visitor: `c${trial++}` };
        const keys = new VisitorKeys(prefix, visitor, names);
        const { apply, checks } = setup(visitor);
        for (const store of [onCluster, onOneNode]) {
          await store.apply(apply);
          // A gate of a second long past, which the next claim sweeps, and one still closed.
          await store.claim({ visitor, now: t0, claims: [{ checks: [{ kind: 'gate', key: 'cool:rescue', ttl: 1_000 }, ...checks] }] });
        }
        const request = { visitor, now: t0 + HOUR, claims: claims.map((checks) => ({ checks })) };
        const [leaving, leftState] = await whileMigrating(keys.seen, async (source) => [await onCluster.claim(request), await stateOf(source, keys)] as const);
        expect(leaving).toEqual(await onOneNode.claim(request));
        expectSameState(leftState, await stateOf(client, keys));
      }),
      { numRuns: 80 },
    );
  });
});
