/*
 * A Redis Cluster moves slots between nodes while it serves (resharding, a node added or
 * drained): a visitor's frames go on across the move, and find the state that moved with them.
 */
import { createCluster, type RedisClusterType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisClusterForTests } from '../../../test/support/redis-cluster.js';
import type { VisitorRef } from '../../events/index.js';
import { RedisWindowStore } from './index.js';

// A cluster of its own: moving a slot of the shared one would move other test files' visitors.
const cluster = await redisClusterForTests({ own: true });
if ('url' in cluster) afterAll(() => cluster.stop());

const t0 = 1_800_000_000_000;
const view = (visitor: VisitorRef, eventId: string, at: number) => ({
  visitor,
  now: at,
  events: [{ eventId, ops: [{ kind: 'window.add' as const, key: 'views', member: eventId, at, span: 3_600_000 }] }],
});

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

  /** The visitor's slot, its owner as the cluster says now (the admin client's map is stale after a move), and another master. */
  async function planMove(visitor: VisitorRef): Promise<SlotMove> {
    const slot = Number(await admin.sendCommand(undefined, true, ['CLUSTER', 'KEYSLOT', `${prefix}:{${visitor.site}:${visitor.visitor}}:e`]));
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

  it('applies frames after the move, with the visitor\'s state and dedupe kept', async () => {
    const bob: VisitorRef = { site: 'shop', visitor: 'bob' };
    expect((await store.apply(view(bob, 'v1', t0))).events[0]!.results).toEqual([1]);
    const move = await planMove(bob);
    await moveKeys(move);
    await handOverSlot(move);
    expect((await store.apply(view(bob, 'v1', t0))).events[0]!.duplicate).toBe(true);
    expect((await store.apply(view(bob, 'v2', t0 + 2_000))).events[0]!.results).toEqual([2]);
  });
});
