/*
 * A Redis Cluster moves slots between nodes while it serves (resharding, a node added or
 * drained): a visitor's frames go on across the move, and find the state that moved with them.
 */
import { createCluster, type RedisClusterType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisClusterForTests } from '../../../test/support/redis-cluster.js';
import { SlotMoves, frame, t0, view, withEveryKey } from '../../../test/support/slot-moves.js';
import type { VisitorRef } from '../../events/index.js';
import { TIMER_LEASE_MS } from '../window-store.js';
import { RedisWindowStore } from './index.js';
import { loadStoreScripts } from './scripts.js';
import { DueIndexKeys } from './visitor-keys.js';

// A cluster of its own: moving a slot of the shared one would move other test files' visitors.
const cluster = await redisClusterForTests({ own: true });
if ('url' in cluster) afterAll(() => cluster.stop());

describe.skipIf('skip' in cluster)('RedisWindowStore while the cluster moves a visitor\'s slot', () => {
  const url = 'url' in cluster ? cluster.url : '';
  const prefix = 'tw-reshard';
  let admin: RedisClusterType;
  let store: RedisWindowStore;
  let moves: SlotMoves;

  beforeAll(async () => {
    admin = createCluster({ rootNodes: [{ url }] });
    await admin.connect();
    store = await RedisWindowStore.connect(url, { prefix, cluster: true });
    moves = new SlotMoves(admin, prefix);
  });
  afterAll(async () => {
    await store?.close();
    await admin?.close();
  });

  it('answers a frame sent while the slot migrates once the move completes, instead of failing it', async () => {
    const ann: VisitorRef = { site: 'shop', visitor: 'ann' };
    expect((await store.apply(view(ann, 'v1', t0))).events[0]!.results).toEqual([1]);
    const move = await moves.planMove(ann);
    await moves.moveKeys(move);
    const before = await moves.refusals();
    const during = store.apply(view(ann, 'v2', t0 + 1_000));
    await moves.refusedSince(before);
    await moves.handOverSlot(move);
    expect((await during).events[0]!.results).toEqual([2]);
  });

  it('answers a frame sent before any of the slot\'s keys moved once the move completes', async () => {
    // Cara has seen ids and windows but no profile nor timers: a script naming all four is refused on the source.
    const cara: VisitorRef = { site: 'shop', visitor: 'cara' };
    expect((await store.apply(view(cara, 'v1', t0))).events[0]!.results).toEqual([1]);
    const move = await moves.planMove(cara);
    await moves.startMove(move);
    const before = await moves.refusals();
    const during = store.apply(view(cara, 'v2', t0 + 1_000));
    await moves.refusedSince(before);
    await moves.migrateKeys(move);
    await moves.handOverSlot(move);
    expect((await during).events[0]!.results).toEqual([2]);
  });

  it('records the interest of a site\'s visitors in one turn while the site\'s slot migrates, one product\'s set moved and another\'s not yet', async () => {
    const index = store.interestIndex();
    const setOf = (product: string): string => `${prefix}:int:{mall}:${product}:view`;
    await index.record({ site: 'mall', visitor: 'a' }, [{ kind: 'note', product: 'p1', interest: 'view', at: t0 }], t0);
    await index.record({ site: 'mall', visitor: 'b' }, [{ kind: 'note', product: 'p2', interest: 'view', at: t0 }], t0);
    const move = await moves.planMoveOf(setOf('p1'));
    await moves.startMove(move);
    await moves.migrateKeys(move, [setOf('p1')]);
    try {
      // Each record alone is served: p1's set by the importing node (ASK), p2's by the one it leaves.
      await expect(
        Promise.all([
          index.record({ site: 'mall', visitor: 'c' }, [{ kind: 'note', product: 'p1', interest: 'view', at: t0 + 1 }], t0 + 1),
          index.record({ site: 'mall', visitor: 'd' }, [{ kind: 'note', product: 'p2', interest: 'view', at: t0 + 1 }], t0 + 1),
        ]),
      ).resolves.toEqual([undefined, undefined]);
    } finally {
      await moves.migrateKeys(move);
      await moves.handOverSlot(move);
    }
    expect((await index.interested({ site: 'mall', product: 'p1', interest: 'view', since: 0, now: t0 + 2 })).map((entry) => entry.visitor).sort()).toEqual(['a', 'c']);
  });

  it('applies frames after the move, with the visitor\'s state and dedupe kept', async () => {
    const bob: VisitorRef = { site: 'shop', visitor: 'bob' };
    expect((await store.apply(view(bob, 'v1', t0))).events[0]!.results).toEqual([1]);
    const move = await moves.planMove(bob);
    await moves.moveKeys(move);
    await moves.handOverSlot(move);
    expect((await store.apply(view(bob, 'v1', t0))).events[0]!.duplicate).toBe(true);
    expect((await store.apply(view(bob, 'v2', t0 + 2_000))).events[0]!.results).toEqual([2]);
  });

  describe('a frame that empties one of the visitor\'s keys and writes it again, run by the node the slot leaves', () => {
    it('keeps the timer it cancelled and armed again', async () => {
      const dee: VisitorRef = { site: 'shop', visitor: 'dee' };
      await withEveryKey(store, dee, [{ kind: 'hash.set', hash: 'profile', field: 'plan', value: 'gold' }]);
      const move = await moves.planMove(dee);
      await moves.startMove(move);
      await store.apply(
        frame(dee, 'rearm', t0 + 1_000, [
          { kind: 'timer.cancel', timer: 'ladder' },
          { kind: 'timer.arm', timer: 'ladder', due: t0 + 120_000, payload: 'second' },
        ]),
      );
      await moves.migrateKeys(move);
      await moves.handOverSlot(move);
      const due = await store.takeDueTimers(t0 + 200_000, 10);
      expect(due.filter((timer) => timer.visitor.visitor === 'dee').map((timer) => [timer.timer, timer.due, timer.payload])).toEqual([['ladder', t0 + 120_000, 'second']]);
    });

    it('keeps the cart line added after its last one left', async () => {
      const eve: VisitorRef = { site: 'shop', visitor: 'eve' };
      await withEveryKey(store, eve, [{ kind: 'hash.increment', hash: 'cart', field: 'sku-1', by: 1 }]);
      const move = await moves.planMove(eve);
      await moves.startMove(move);
      const result = await store.apply(
        frame(eve, 'swap', t0 + 1_000, [
          { kind: 'hash.increment', hash: 'cart', field: 'sku-1', by: -1 },
          { kind: 'hash.increment', hash: 'cart', field: 'sku-2', by: 2 },
        ]),
      );
      expect(result.events[0]!.results).toEqual([0, 2]);
      await moves.migrateKeys(move);
      await moves.handOverSlot(move);
      const check = await store.apply({ ...frame(eve, 'check', t0 + 2_000, [{ kind: 'hash.increment', hash: 'cart', field: 'sku-2', by: 0 }]) });
      expect(check.events[0]!.results).toEqual([2]);
    });

    it('keeps the window entry added after a trim emptied the window', async () => {
      const fay: VisitorRef = { site: 'shop', visitor: 'fay' };
      await withEveryKey(store, fay, [{ kind: 'hash.set', hash: 'profile', field: 'plan', value: 'gold' }]);
      const move = await moves.planMove(fay);
      await moves.startMove(move);
      // A span of 0 trims its own entry at once, emptying the visitor's only windows set.
      const hour = 3_600_000;
      const result = await store.apply(
        frame(fay, 'later', t0 + 2 * hour, [
          { kind: 'window.add', key: 'views', member: 'later', at: t0 + 2 * hour, span: 0 },
          { kind: 'window.add', key: 'views', member: 'later-2', at: t0 + 2 * hour, span: hour },
        ]),
      );
      expect(result.events[0]!.results).toEqual([0, 1]);
      await moves.migrateKeys(move);
      await moves.handOverSlot(move);
      expect((await store.apply(view(fay, 'last', t0 + 2 * hour + 1))).events[0]!.results).toEqual([2]);
    });

    it('takes a cooldown again after sweeping the one that had ended', async () => {
      const gus: VisitorRef = { site: 'shop', visitor: 'gus' };
      await withEveryKey(store, gus, [{ kind: 'hash.set', hash: 'profile', field: 'plan', value: 'gold' }]);
      const cooldown = { kind: 'gate' as const, key: 'cool:welcome', ttl: 60_000 };
      expect(await store.claim({ visitor: gus, now: t0, claims: [{ checks: [cooldown] }] })).toEqual([-1]);
      const move = await moves.planMove(gus);
      await moves.startMove(move);
      expect(await store.claim({ visitor: gus, now: t0 + 120_000, claims: [{ checks: [cooldown] }] })).toEqual([-1]);
      await moves.migrateKeys(move);
      await moves.handOverSlot(move);
      expect(await store.claim({ visitor: gus, now: t0 + 150_000, claims: [{ checks: [cooldown] }] })).toEqual([0]);
    });

    it('leaves none of the placeholders that kept its keys', async () => {
      const jo: VisitorRef = { site: 'shop', visitor: 'jo' };
      await withEveryKey(store, jo, [{ kind: 'hash.increment', hash: 'cart', field: 'sku-1', by: 1 }]);
      const move = await moves.planMove(jo);
      await moves.startMove(move);
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
      await moves.migrateKeys(move);
      await moves.handOverSlot(move);
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
    const move = await moves.planMoveOf(index.due);
    await moves.startMove(move);
    try {
      // Taking over the lease empties the lease set, then looks in it again for each due visitor.
      const taken = await own.takeDueTimers(due + 2, 1);
      expect(taken.map((timer) => [timer.visitor.visitor, timer.timer])).toEqual([['hal', 'reminder']]);
      await own.settleTimers(taken);
    } finally {
      await moves.migrateKeys(move);
      await moves.handOverSlot(move);
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
