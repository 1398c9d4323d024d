/*
 * A Redis Cluster moves slots between nodes while it serves (resharding, a node added or
 * drained): a visitor's frames go on across the move, and find the state that moved with them.
 */
import { createCluster, type RedisClusterType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisClusterForTests } from '../../../test/support/redis-cluster.js';
import type { VisitorRef } from '../../events/index.js';
import { TIMER_LEASE_MS, type ApplyRequest, type StateOp } from '../window-store.js';
import { RedisWindowStore } from './index.js';
import { loadStoreScripts } from './scripts.js';
import { DueIndexKeys } from './visitor-keys.js';

// A cluster of its own: moving a slot of the shared one would move other test files' visitors.
const cluster = await redisClusterForTests({ own: true });
if ('url' in cluster) afterAll(() => cluster.stop());

const t0 = 1_800_000_000_000;
const view = (visitor: VisitorRef, eventId: string, at: number) => ({
  visitor,
  now: at,
  events: [{ eventId, ops: [{ kind: 'window.add' as const, key: 'views', member: eventId, at, span: 3_600_000 }] }],
});

const frame = (visitor: VisitorRef, eventId: string, at: number, ops: StateOp[]): ApplyRequest => ({ visitor, now: at, events: [{ eventId, ops }] });

/** Seen ids, profile and cart, timers and windows: every key a frame names exists, so the migrating slot's node runs it. */
async function withEveryKey(store: RedisWindowStore, visitor: VisitorRef, hashOps: StateOp[]): Promise<void> {
  await store.apply(
    frame(visitor, 'setup', t0, [
      { kind: 'window.add', key: 'views', member: 'setup', at: t0, span: 3_600_000 },
      { kind: 'timer.arm', timer: 'ladder', due: t0 + 60_000, payload: 'first' },
      ...hashOps,
    ]),
  );
}

type Node = Awaited<ReturnType<RedisClusterType['nodeClient']>>;

/** Where a slot lives and where it may go: its master, another, and their node ids. */
interface SlotMove {
  slot: number;
  from: Node;
  to: Node;
  fromId: string;
  toId: string;
  toPort: number;
}

describe.skipIf('skip' in cluster)('RedisWindowStore while the cluster moves a visitor\'s slot', () => {
  const url = 'url' in cluster ? cluster.url : '';
  const prefix = 'tw-reshard';
  let admin: RedisClusterType;
  let store: RedisWindowStore;

  beforeAll(async () => {
    admin = createCluster({ rootNodes: [{ url }] });
    await admin.connect();
    store = await RedisWindowStore.connect(url, { prefix, cluster: true });
  });
  afterAll(async () => {
    await store?.close();
    await admin?.close();
  });

  /** The slot of the visitor's keys (or of `key`), its owner as the cluster says now (the admin client's map is stale after a move), and another master. */
  async function planMove(visitor: VisitorRef): Promise<SlotMove> {
    return planMoveOf(`${prefix}:{${visitor.site}:${visitor.visitor}}:e`);
  }

  async function planMoveOf(key: string): Promise<SlotMove> {
    const slot = Number(await admin.sendCommand(undefined, true, ['CLUSTER', 'KEYSLOT', key]));
    const ranges = (await admin.sendCommand(undefined, true, ['CLUSTER', 'SLOTS'])) as Array<[number, number, [string, number, string]]>;
    const owner = ranges.find(([start, end]) => start <= slot && slot <= end)?.[2][2];
    const source = admin.masters.find((master) => master.id === owner);
    const target = admin.masters.find((master) => master.id !== owner);
    if (source === undefined || target === undefined) throw new Error(`no owner of slot ${slot} among the masters, or nowhere to move it`);
    return { slot, from: await admin.nodeClient(source), to: await admin.nodeClient(target), fromId: source.id, toId: target.id, toPort: target.port };
  }

  /** The move begins: the slot is migrating, its keys still where they were. */
  async function startMove(move: SlotMove): Promise<void> {
    await move.to.sendCommand(['CLUSTER', 'SETSLOT', String(move.slot), 'IMPORTING', move.fromId]);
    await move.from.sendCommand(['CLUSTER', 'SETSLOT', String(move.slot), 'MIGRATING', move.toId]);
  }

  /** The slot's keys go to the target; the slot is still migrating. */
  async function migrateKeys(move: SlotMove): Promise<void> {
    const keys = (await move.from.sendCommand(['CLUSTER', 'GETKEYSINSLOT', String(move.slot), '1000'])) as string[];
    expect(keys.length).toBeGreaterThan(0);
    await move.from.sendCommand(['MIGRATE', '127.0.0.1', String(move.toPort), '', '0', '5000', 'KEYS', ...keys]);
  }

  async function moveKeys(move: SlotMove): Promise<void> {
    await startMove(move);
    await migrateKeys(move);
  }

  /** How many commands the cluster's nodes refused with TRYAGAIN so far. */
  async function refusals(): Promise<number> {
    let count = 0;
    for (const master of admin.masters) {
      const info = String(await (await admin.nodeClient(master)).sendCommand(['INFO', 'errorstats']));
      count += Number(/errorstat_TRYAGAIN:count=(\d+)/.exec(info)?.[1] ?? 0);
    }
    return count;
  }

  /** Resolves once a node has refused a command with TRYAGAIN since `before`. */
  async function refusedSince(before: number): Promise<void> {
    while ((await refusals()) === before) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** The second half: every master learns the slot's new owner. */
  async function handOverSlot(move: SlotMove): Promise<void> {
    for (const master of admin.masters) {
      const node = await admin.nodeClient(master);
      await node.sendCommand(['CLUSTER', 'SETSLOT', String(move.slot), 'NODE', move.toId]);
    }
  }

  it('answers a frame sent while the slot migrates once the move completes, instead of failing it', async () => {
    const ann: VisitorRef = { site: 'shop', visitor: 'ann' };
    expect((await store.apply(view(ann, 'v1', t0))).events[0]!.results).toEqual([1]);
    const move = await planMove(ann);
    await moveKeys(move);
    const before = await refusals();
    const during = store.apply(view(ann, 'v2', t0 + 1_000));
    await refusedSince(before);
    await handOverSlot(move);
    expect((await during).events[0]!.results).toEqual([2]);
  });

  it('answers a frame sent before any of the slot\'s keys moved once the move completes', async () => {
    // Cara has seen ids and windows but no profile nor timers: a script naming all four is refused on the source.
    const cara: VisitorRef = { site: 'shop', visitor: 'cara' };
    expect((await store.apply(view(cara, 'v1', t0))).events[0]!.results).toEqual([1]);
    const move = await planMove(cara);
    await startMove(move);
    const before = await refusals();
    const during = store.apply(view(cara, 'v2', t0 + 1_000));
    await refusedSince(before);
    await migrateKeys(move);
    await handOverSlot(move);
    expect((await during).events[0]!.results).toEqual([2]);
  });

  /** A visitor in another slot of the same node as `move`'s slot, for a frame that travels in the same call. */
  async function neighbourOf(move: SlotMove, name: string): Promise<VisitorRef> {
    const ranges = (await admin.sendCommand(undefined, true, ['CLUSTER', 'SLOTS'])) as Array<[number, number, [string, number, string]]>;
    for (let i = 0; i < 10_000; i++) {
      const visitor = { site: 'shop', visitor: `${name}-${i}` };
      const slot = Number(await admin.sendCommand(undefined, true, ['CLUSTER', 'KEYSLOT', `${prefix}:{shop:${visitor.visitor}}:e`]));
      const owner = ranges.find(([start, end]) => start <= slot && slot <= end)?.[2][2];
      if (owner === move.fromId && slot !== move.slot) return visitor;
    }
    throw new Error(`no visitor found beside slot ${move.slot}`);
  }

  it('applies a frame whose slot moved since the store learnt the layout, sent in one call with a visitor of its old node', async () => {
    const lea: VisitorRef = { site: 'shop', visitor: 'lea' };
    expect((await store.apply(view(lea, 'v1', t0))).events[0]!.results).toEqual([1]);
    const move = await planMove(lea);
    const neighbour = await neighbourOf(move, 'lea-neighbour');
    expect((await store.apply(view(neighbour, 'v1', t0))).events[0]!.results).toEqual([1]);
    await moveKeys(move);
    await handOverSlot(move);
    const [moved, stayed] = await Promise.all([store.apply(view(lea, 'v2', t0 + 1_000)), store.apply(view(neighbour, 'v2', t0 + 1_000))]);
    expect([moved.events[0]!.results, stayed.events[0]!.results]).toEqual([[2], [2]]);
    expect(await move.to.sendCommand(['ZCARD', `${prefix}:{shop:lea}:w`])).toBe(2);
  });

  it('runs a claim asked in the same turn as an apply after that apply, when the apply travels in its node\'s call while its keys have left for the slot\'s new node', async () => {
    const ola: VisitorRef = { site: 'shop', visitor: 'ola' };
    // Every key the apply and the claim name exists, so the slot's new node serves each (ASK) without TRYAGAIN.
    await withEveryKey(store, ola, [{ kind: 'hash.set', hash: 'profile', field: 'plan', value: 'gold' }]);
    expect(await store.claim({ visitor: ola, now: t0, claims: [{ checks: [{ kind: 'gate', key: 'welcome', ttl: 3_600_000 }] }] })).toEqual([-1]);
    const move = await planMove(ola);
    const neighbour = await neighbourOf(move, 'ola-neighbour');
    expect((await store.apply(view(neighbour, 'v1', t0))).events[0]!.results).toEqual([1]);
    // The slot's new node knows both scripts: neither call meets NOSCRIPT there.
    const scripts = loadStoreScripts({ keepKeys: true });
    for (const script of [scripts.apply, scripts.claim]) await move.to.sendCommand(['SCRIPT', 'LOAD', script.source]);
    await moveKeys(move);
    const span = 3_600_000;
    try {
      const applied = store.apply(frame(ola, 'capped', t0 + 1_000, [{ kind: 'window.add', key: 'cap', member: 'x', at: t0 + 1_000, span }]));
      const beside = store.apply(view(neighbour, 'v2', t0 + 1_000));
      const claimed = store.claim({ visitor: ola, now: t0 + 1_000, claims: [{ checks: [{ kind: 'cap', key: 'cap', limit: 1, span, member: 'y' }] }] });
      await Promise.all([applied, beside]);
      // The apply filled the cap of 1: the claim after it is refused at its first check.
      expect(await claimed).toEqual([0]);
    } finally {
      await handOverSlot(move);
    }
  });

  it('applies a visitor\'s frames in submission order when the first travels in its node\'s call while its keys have left for the slot\'s new node', async () => {
    const pia: VisitorRef = { site: 'shop', visitor: 'pia' };
    await withEveryKey(store, pia, [{ kind: 'hash.set', hash: 'profile', field: 'plan', value: 'gold' }]);
    const move = await planMove(pia);
    const neighbour = await neighbourOf(move, 'pia-neighbour');
    expect((await store.apply(view(neighbour, 'v1', t0))).events[0]!.results).toEqual([1]);
    await move.to.sendCommand(['SCRIPT', 'LOAD', loadStoreScripts({ keepKeys: true }).apply.source]);
    await moveKeys(move);
    const span = 3_600_000;
    try {
      const first = store.apply(frame(pia, 'added', t0 + 1_000, [{ kind: 'window.add', key: 'clicks', member: 'x', at: t0 + 1_000, span }]));
      const beside = store.apply(view(neighbour, 'v2', t0 + 1_000));
      // The next run: the pipeline's next turn of frames, or a delivery's follow-up.
      await Promise.resolve();
      const second = store.apply(frame(pia, 'counted', t0 + 1_001, [{ kind: 'window.count', key: 'clicks', at: t0 + 1_001, span }]));
      await Promise.all([first, beside]);
      expect((await second).events[0]!.results).toEqual([1]);
    } finally {
      await handOverSlot(move);
    }
  });

  it('applies once, after the move, a frame sent in one call with a visitor of its node while only some of its keys have moved', async () => {
    const max: VisitorRef = { site: 'shop', visitor: 'max' };
    await withEveryKey(store, max, [{ kind: 'hash.set', hash: 'profile', field: 'plan', value: 'gold' }]);
    const move = await planMove(max);
    const neighbour = await neighbourOf(move, 'max-neighbour');
    expect((await store.apply(view(neighbour, 'v1', t0))).events[0]!.results).toEqual([1]);
    await startMove(move);
    await move.from.sendCommand(['MIGRATE', '127.0.0.1', String(move.toPort), '', '0', '5000', 'KEYS', `${prefix}:{shop:max}:p`]);
    const before = await refusals();
    const during = Promise.all([store.apply(view(max, 'v2', t0 + 1_000)), store.apply(view(neighbour, 'v2', t0 + 1_000))]);
    await refusedSince(before);
    await migrateKeys(move);
    await handOverSlot(move);
    const [moved, stayed] = await during;
    expect([moved.events[0]!.results, stayed.events[0]!.results]).toEqual([[2], [2]]);
  });

  it('answers a frame of a visitor whose slot stays while a frame beside it in its node\'s call waits for its own slot\'s move', async () => {
    const ned: VisitorRef = { site: 'shop', visitor: 'ned' };
    await withEveryKey(store, ned, [{ kind: 'hash.set', hash: 'profile', field: 'plan', value: 'gold' }]);
    const move = await planMove(ned);
    const neighbour = await neighbourOf(move, 'ned-neighbour');
    expect((await store.apply(view(neighbour, 'v1', t0))).events[0]!.results).toEqual([1]);
    await startMove(move);
    await move.from.sendCommand(['MIGRATE', '127.0.0.1', String(move.toPort), '', '0', '5000', 'KEYS', `${prefix}:{shop:ned}:p`]);
    const before = await refusals();
    const moving = store.apply(view(ned, 'v2', t0 + 1_000));
    const staying = store.apply(view(neighbour, 'v2', t0 + 1_000));
    await refusedSince(before);
    try {
      // Ned's frame is refused with TRYAGAIN until the move ends; the neighbour's node answered at once.
      const first = await Promise.race([staying.then(() => 'the neighbour'), new Promise((resolve) => setTimeout(() => resolve('nothing within 1 s'), 1_000))]);
      expect(first).toBe('the neighbour');
    } finally {
      await migrateKeys(move);
      await handOverSlot(move);
      await Promise.allSettled([moving, staying]);
    }
  });

  it('records the interest of a site\'s visitors in one turn while the site\'s slot migrates, one product\'s set moved and another\'s not yet', async () => {
    const index = store.interestIndex();
    const setOf = (product: string): string => `${prefix}:int:{mall}:${product}:view`;
    await index.record({ site: 'mall', visitor: 'a' }, [{ kind: 'note', product: 'p1', interest: 'view', at: t0 }], t0);
    await index.record({ site: 'mall', visitor: 'b' }, [{ kind: 'note', product: 'p2', interest: 'view', at: t0 }], t0);
    const move = await planMoveOf(setOf('p1'));
    await startMove(move);
    await move.from.sendCommand(['MIGRATE', '127.0.0.1', String(move.toPort), '', '0', '5000', 'KEYS', setOf('p1')]);
    try {
      // Each record alone is served: p1's set by the importing node (ASK), p2's by the one it leaves.
      await expect(
        Promise.all([
          index.record({ site: 'mall', visitor: 'c' }, [{ kind: 'note', product: 'p1', interest: 'view', at: t0 + 1 }], t0 + 1),
          index.record({ site: 'mall', visitor: 'd' }, [{ kind: 'note', product: 'p2', interest: 'view', at: t0 + 1 }], t0 + 1),
        ]),
      ).resolves.toEqual([undefined, undefined]);
    } finally {
      await migrateKeys(move);
      await handOverSlot(move);
    }
    expect((await index.interested({ site: 'mall', product: 'p1', interest: 'view', since: 0, now: t0 + 2 })).map((entry) => entry.visitor).sort()).toEqual(['a', 'c']);
  });

  it('applies frames after the move, with the visitor\'s state and dedupe kept', async () => {
    const bob: VisitorRef = { site: 'shop', visitor: 'bob' };
    expect((await store.apply(view(bob, 'v1', t0))).events[0]!.results).toEqual([1]);
    const move = await planMove(bob);
    await moveKeys(move);
    await handOverSlot(move);
    expect((await store.apply(view(bob, 'v1', t0))).events[0]!.duplicate).toBe(true);
    expect((await store.apply(view(bob, 'v2', t0 + 2_000))).events[0]!.results).toEqual([2]);
  });

  describe('a frame that empties one of the visitor\'s keys and writes it again, run by the node the slot leaves', () => {
    it('keeps the timer it cancelled and armed again', async () => {
      const dee: VisitorRef = { site: 'shop', visitor: 'dee' };
      await withEveryKey(store, dee, [{ kind: 'hash.set', hash: 'profile', field: 'plan', value: 'gold' }]);
      const move = await planMove(dee);
      await startMove(move);
      await store.apply(
        frame(dee, 'rearm', t0 + 1_000, [
          { kind: 'timer.cancel', timer: 'ladder' },
          { kind: 'timer.arm', timer: 'ladder', due: t0 + 120_000, payload: 'second' },
        ]),
      );
      await migrateKeys(move);
      await handOverSlot(move);
      const due = await store.takeDueTimers(t0 + 200_000, 10);
      expect(due.filter((timer) => timer.visitor.visitor === 'dee').map((timer) => [timer.timer, timer.due, timer.payload])).toEqual([['ladder', t0 + 120_000, 'second']]);
    });

    it('keeps the cart line added after its last one left', async () => {
      const eve: VisitorRef = { site: 'shop', visitor: 'eve' };
      await withEveryKey(store, eve, [{ kind: 'hash.increment', hash: 'cart', field: 'sku-1', by: 1 }]);
      const move = await planMove(eve);
      await startMove(move);
      const result = await store.apply(
        frame(eve, 'swap', t0 + 1_000, [
          { kind: 'hash.increment', hash: 'cart', field: 'sku-1', by: -1 },
          { kind: 'hash.increment', hash: 'cart', field: 'sku-2', by: 2 },
        ]),
      );
      expect(result.events[0]!.results).toEqual([0, 2]);
      await migrateKeys(move);
      await handOverSlot(move);
      const check = await store.apply({ ...frame(eve, 'check', t0 + 2_000, [{ kind: 'hash.increment', hash: 'cart', field: 'sku-2', by: 0 }]) });
      expect(check.events[0]!.results).toEqual([2]);
    });

    it('keeps the window entry added after a trim emptied the window', async () => {
      const fay: VisitorRef = { site: 'shop', visitor: 'fay' };
      await withEveryKey(store, fay, [{ kind: 'hash.set', hash: 'profile', field: 'plan', value: 'gold' }]);
      const move = await planMove(fay);
      await startMove(move);
      // A span of 0 trims its own entry at once, emptying the visitor's only windows set.
      const hour = 3_600_000;
      const result = await store.apply(
        frame(fay, 'later', t0 + 2 * hour, [
          { kind: 'window.add', key: 'views', member: 'later', at: t0 + 2 * hour, span: 0 },
          { kind: 'window.add', key: 'views', member: 'later-2', at: t0 + 2 * hour, span: hour },
        ]),
      );
      expect(result.events[0]!.results).toEqual([0, 1]);
      await migrateKeys(move);
      await handOverSlot(move);
      expect((await store.apply(view(fay, 'last', t0 + 2 * hour + 1))).events[0]!.results).toEqual([2]);
    });

    it('takes a cooldown again after sweeping the one that had ended', async () => {
      const gus: VisitorRef = { site: 'shop', visitor: 'gus' };
      await withEveryKey(store, gus, [{ kind: 'hash.set', hash: 'profile', field: 'plan', value: 'gold' }]);
      const cooldown = { kind: 'gate' as const, key: 'cool:welcome', ttl: 60_000 };
      expect(await store.claim({ visitor: gus, now: t0, claims: [{ checks: [cooldown] }] })).toEqual([-1]);
      const move = await planMove(gus);
      await startMove(move);
      expect(await store.claim({ visitor: gus, now: t0 + 120_000, claims: [{ checks: [cooldown] }] })).toEqual([-1]);
      await migrateKeys(move);
      await handOverSlot(move);
      expect(await store.claim({ visitor: gus, now: t0 + 150_000, claims: [{ checks: [cooldown] }] })).toEqual([0]);
    });

    it('leaves none of the placeholders that kept its keys', async () => {
      const jo: VisitorRef = { site: 'shop', visitor: 'jo' };
      await withEveryKey(store, jo, [{ kind: 'hash.increment', hash: 'cart', field: 'sku-1', by: 1 }]);
      const move = await planMove(jo);
      await startMove(move);
      await store.apply(
        frame(jo, 'all', t0 + 7_200_000, [
          { kind: 'timer.cancel', timer: 'ladder' },
          { kind: 'hash.increment', hash: 'cart', field: 'sku-1', by: -1 },
          { kind: 'window.add', key: 'views', member: 'all', at: t0 + 7_200_000, span: 0 },
          { kind: 'timer.arm', timer: 'ladder', due: t0 + 7_300_000, payload: 'p' },
          { kind: 'hash.set', hash: 'profile', field: 'plan', value: 'gold' },
          { kind: 'window.add', key: 'views', member: 'all-2', at: t0 + 7_200_000, span: 60_000 },
        ]),
      );
      const base = `${prefix}:{shop:jo}:`;
      const placeholders = await Promise.all([
        move.from.sendCommand(['HEXISTS', `${base}t`, '']),
        move.from.sendCommand(['HEXISTS', `${base}p`, '']),
        move.from.sendCommand(['ZSCORE', `${base}w`, '']),
      ]);
      await migrateKeys(move);
      await handOverSlot(move);
      expect(placeholders).toEqual([0, 0, null]);
    });
  });

  it('takes due timers while the due index moves, after taking over a lease that ended', async () => {
    // A store of its own: only its visitors are due, so one pass takes hal's timer and stops.
    const own = await RedisWindowStore.connect(url, { prefix: 'tw-reshard-due', cluster: true });
    const hal: VisitorRef = { site: 'shop', visitor: 'hal' };
    const due = t0 + 500_000;
    await own.apply(frame(hal, 'arm', t0, [{ kind: 'timer.arm', timer: 'reminder', due, payload: 'p' }]));
    // Ida's later timer keeps the due index there once hal is leased: a script naming a key the
    // moving slot lacks is refused before it runs (the tests above), not failed halfway.
    await own.apply(frame({ site: 'shop', visitor: 'ida' }, 'arm', t0, [{ kind: 'timer.arm', timer: 'reminder', due: due + 3_600_000, payload: 'p' }]));
    // A taker leases hal, then dies before taking the timer: the lease set holds hal alone.
    const index = new DueIndexKeys('tw-reshard-due');
    const { leaseDue } = loadStoreScripts({ keepKeys: true });
    await admin.sendCommand(index.due, false, ['EVAL', leaseDue.source, '2', index.due, index.leases, String(due), '10', String(due + 1)]);
    const move = await planMoveOf(index.due);
    await startMove(move);
    try {
      // Taking over the lease empties the lease set, then looks in it again for each due visitor.
      const taken = await own.takeDueTimers(due + 2, 1);
      expect(taken.map((timer) => [timer.visitor.visitor, timer.timer])).toEqual([['hal', 'reminder']]);
      await own.settleTimers(taken);
    } finally {
      await migrateKeys(move);
      await handOverSlot(move);
    }
    expect((await own.takeDueTimers(due + 2 + TIMER_LEASE_MS, 10)).filter((timer) => timer.visitor.visitor === 'hal')).toEqual([]);
    await own.close();
  });

  it('takes and settles due timers while its nodes are at their memory limit, which refuses new frames', async () => {
    const own = await RedisWindowStore.connect(url, { prefix: 'tw-reshard-full', cluster: true });
    const kim: VisitorRef = { site: 'shop', visitor: 'kim' };
    const due = t0 + 900_000;
    await own.apply(frame(kim, 'arm', t0, [{ kind: 'timer.arm', timer: 'reminder', due, payload: 'p' }]));
    const nodes = await Promise.all(admin.masters.map((master) => admin.nodeClient(master)));
    await Promise.all(nodes.map((node) => node.sendCommand(['CONFIG', 'SET', 'maxmemory', '1'])));
    try {
      await expect(own.apply(frame(kim, 'more', t0 + 1, [{ kind: 'hash.set', hash: 'profile', field: 'plan', value: 'gold' }]))).rejects.toThrow(/OOM/);
      const taken = await own.takeDueTimers(due, 10);
      expect(taken.map((timer) => timer.timer)).toEqual(['reminder']);
      await own.settleTimers(taken);
    } finally {
      await Promise.all(nodes.map((node) => node.sendCommand(['CONFIG', 'SET', 'maxmemory', '0'])));
    }
    expect(await own.takeDueTimers(due + TIMER_LEASE_MS, 10)).toEqual([]);
    await own.close();
  });
});
