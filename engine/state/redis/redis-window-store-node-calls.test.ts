/*
 * On a Redis Cluster the frames of a run go as one call per node, as the client last learnt the
 * slot layout. While a slot moves, a frame its node turns away goes again on its own: it is
 * applied once, in its visitor's order, and its neighbours in the call do not wait for it.
 */
import { createCluster, type RedisClusterType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisClusterForTests } from '../../../test/support/redis-cluster.js';
import { SlotMoves, frame, t0, view, withEveryKey, type SlotMove } from '../../../test/support/slot-moves.js';
import type { VisitorRef } from '../../events/index.js';
import { RedisWindowStore } from './index.js';
import { loadStoreScripts } from './scripts.js';

// A cluster of its own: its slots move.
const cluster = await redisClusterForTests({ own: true });
if ('url' in cluster) afterAll(() => cluster.stop());

describe.skipIf('skip' in cluster)('RedisWindowStore sending a node\'s frames in one call while a slot moves', () => {
  const url = 'url' in cluster ? cluster.url : '';
  const prefix = 'tw-node-calls';
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

  /** A visitor with every key (so a moving slot's nodes run its frames), its slot's planned move, and a visitor of the same node whose frames travel in the same call. */
  async function besideANeighbour(name: string): Promise<{ visitor: VisitorRef; move: SlotMove; neighbour: VisitorRef }> {
    const visitor: VisitorRef = { site: 'shop', visitor: name };
    await withEveryKey(store, visitor, [{ kind: 'hash.set', hash: 'profile', field: 'plan', value: 'gold' }]);
    const move = await moves.planMove(visitor);
    const neighbour = await moves.neighbourOf(move, `${name}-neighbour`);
    expect((await store.apply(view(neighbour, 'v1', t0))).events[0]!.results).toEqual([1]);
    return { visitor, move, neighbour };
  }

  it('applies a frame whose slot moved since the store learnt the layout, sent in one call with a visitor of its old node', async () => {
    const lea: VisitorRef = { site: 'shop', visitor: 'lea' };
    expect((await store.apply(view(lea, 'v1', t0))).events[0]!.results).toEqual([1]);
    const move = await moves.planMove(lea);
    const neighbour = await moves.neighbourOf(move, 'lea-neighbour');
    expect((await store.apply(view(neighbour, 'v1', t0))).events[0]!.results).toEqual([1]);
    await moves.moveKeys(move);
    await moves.handOverSlot(move);
    const [moved, stayed] = await Promise.all([store.apply(view(lea, 'v2', t0 + 1_000)), store.apply(view(neighbour, 'v2', t0 + 1_000))]);
    expect([moved.events[0]!.results, stayed.events[0]!.results]).toEqual([[2], [2]]);
    expect(await move.to.sendCommand(['ZCARD', `${prefix}:{shop:lea}:w`])).toBe(2);
  });

  it('runs a claim asked in the same turn as an apply after that apply, when the apply travels in its node\'s call while its keys have left for the slot\'s new node', async () => {
    // Every key the apply and the claim name exists, so the slot's new node serves each (ASK) without TRYAGAIN.
    const { visitor: ola, move, neighbour } = await besideANeighbour('ola');
    expect(await store.claim({ visitor: ola, now: t0, claims: [{ checks: [{ kind: 'gate', key: 'welcome', ttl: 3_600_000 }] }] })).toEqual([-1]);
    // The slot's new node knows both scripts: neither call meets NOSCRIPT there.
    const scripts = loadStoreScripts({ keepKeys: true });
    for (const script of [scripts.apply, scripts.claim]) await move.to.sendCommand(['SCRIPT', 'LOAD', script.source]);
    await moves.moveKeys(move);
    const span = 3_600_000;
    try {
      const applied = store.apply(frame(ola, 'capped', t0 + 1_000, [{ kind: 'window.add', key: 'cap', member: 'x', at: t0 + 1_000, span }]));
      const beside = store.apply(view(neighbour, 'v2', t0 + 1_000));
      const claimed = store.claim({ visitor: ola, now: t0 + 1_000, claims: [{ checks: [{ kind: 'cap', key: 'cap', limit: 1, span, member: 'y' }] }] });
      await Promise.all([applied, beside]);
      // The apply filled the cap of 1: the claim after it is refused at its first check.
      expect(await claimed).toEqual([0]);
    } finally {
      await moves.handOverSlot(move);
    }
  });

  it('applies a visitor\'s frames in submission order when the first travels in its node\'s call while its keys have left for the slot\'s new node', async () => {
    const { visitor: pia, move, neighbour } = await besideANeighbour('pia');
    await move.to.sendCommand(['SCRIPT', 'LOAD', loadStoreScripts({ keepKeys: true }).apply.source]);
    await moves.moveKeys(move);
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
      await moves.handOverSlot(move);
    }
  });

  it('applies once, after the move, a frame sent in one call with a visitor of its node while only some of its keys have moved', async () => {
    const { visitor: max, move, neighbour } = await besideANeighbour('max');
    await moves.startMove(move);
    await moves.migrateKeys(move, [`${prefix}:{shop:max}:p`]);
    const before = await moves.refusals();
    const during = Promise.all([store.apply(view(max, 'v2', t0 + 1_000)), store.apply(view(neighbour, 'v2', t0 + 1_000))]);
    await moves.refusedSince(before);
    await moves.migrateKeys(move);
    await moves.handOverSlot(move);
    const [moved, stayed] = await during;
    expect([moved.events[0]!.results, stayed.events[0]!.results]).toEqual([[2], [2]]);
  });

  it('answers a frame of a visitor whose slot stays while a frame beside it in its node\'s call waits for its own slot\'s move', async () => {
    const { visitor: ned, move, neighbour } = await besideANeighbour('ned');
    await moves.startMove(move);
    await moves.migrateKeys(move, [`${prefix}:{shop:ned}:p`]);
    const before = await moves.refusals();
    const moving = store.apply(view(ned, 'v2', t0 + 1_000));
    const staying = store.apply(view(neighbour, 'v2', t0 + 1_000));
    await moves.refusedSince(before);
    try {
      // Ned's frame is refused with TRYAGAIN until the move ends; the neighbour's node answered at once.
      const first = await Promise.race([staying.then(() => 'the neighbour'), new Promise((resolve) => setTimeout(() => resolve('nothing within 1 s'), 1_000))]);
      expect(first).toBe('the neighbour');
    } finally {
      await moves.migrateKeys(move);
      await moves.handOverSlot(move);
      await Promise.allSettled([moving, staying]);
    }
  });
});
