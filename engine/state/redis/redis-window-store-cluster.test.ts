/*
 * What a Redis Cluster adds to the window store's specification: the frames of a run leave as
 * one call per node, and frames of visitors on different nodes do not wait on each other.
 */
import { createCluster } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisClusterForTests, removeRedisClusterKeys } from '../../../test/support/redis-cluster.js';
import type { VisitorRef } from '../../events/index.js';
import { RedisWindowStore } from './index.js';
import { DueIndexKeys } from './visitor-keys.js';

const cluster = await redisClusterForTests();
if ('url' in cluster) afterAll(() => cluster.stop());

const t0 = 1_800_000_000_000;
const view = (visitor: VisitorRef, eventId = 'e1') => ({ visitor, now: t0, events: [{ eventId, ops: [{ kind: 'window.add' as const, key: 'views', member: eventId, at: t0, span: 60_000 }] }] });

describe.skipIf('skip' in cluster)('RedisWindowStore on a Redis Cluster', () => {
  const url = 'url' in cluster ? cluster.url : '';

  it('applies the frames of a run as one call per node, whatever slots their visitors are in', async () => {
    const prefix = `tw-cluster-batch-${process.pid}`;
    const admin = createCluster({ rootNodes: [{ url }] });
    await admin.connect();
    const store = await RedisWindowStore.connect(url, { prefix, cluster: true });
    const scriptCalls = async (): Promise<number> => {
      let calls = 0;
      for (const master of admin.masters) {
        const info = String(await (await admin.nodeClient(master)).sendCommand(['INFO', 'commandstats']));
        for (const command of ['evalsha', 'eval']) calls += Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
      }
      return calls;
    };
    try {
      const visitors = Array.from({ length: 40 }, (_, i) => ({ site: 'shop', visitor: `run-${i}` }));
      await Promise.all(visitors.map((visitor) => store.apply(view(visitor))));
      const before = await scriptCalls();
      const results = await Promise.all(visitors.map((visitor) => store.apply(view(visitor, 'e2'))));
      const calls = (await scriptCalls()) - before;
      expect(results.map((result) => result.events[0]!.results)).toEqual(visitors.map(() => [2]));
      expect(calls).toBeGreaterThanOrEqual(1);
      expect(calls).toBeLessThanOrEqual(admin.masters.length);
    } finally {
      await store.close();
      await admin.close();
      await removeRedisClusterKeys(url, prefix);
    }
  });

  it('answers a frame once its own node answers, while another node is paused', async () => {
    const prefix = `tw-cluster-${process.pid}`;
    const admin = createCluster({ rootNodes: [{ url }] });
    await admin.connect();
    const store = await RedisWindowStore.connect(url, { prefix, cluster: true });
    try {
      const masterOf = async (visitor: string) => {
        const slot = Number(await admin.sendCommand(undefined, true, ['CLUSTER', 'KEYSLOT', `${prefix}:{shop:${visitor}}:e`]));
        return admin.getSlotMaster(slot);
      };
      const paused = await masterOf('v0');
      let other = 1;
      while ((await masterOf(`v${other}`)).id === paused.id) {
        if (++other > 1000) throw new Error('the cluster under test has one primary: nothing to pause beside');
      }
      const pausedNode = await admin.nodeClient(paused);
      await pausedNode.sendCommand(['CLIENT', 'PAUSE', '10000', 'WRITE']);
      try {
        let waitingAnswered = false;
        const waiting = store.apply(view({ site: 'shop', visitor: 'v0' })).finally(() => (waitingAnswered = true));
        const answered = await store.apply(view({ site: 'shop', visitor: `v${other}` }));
        expect(answered.events[0]!.results).toEqual([1]);
        expect(waitingAnswered).toBe(false);
        await pausedNode.sendCommand(['CLIENT', 'UNPAUSE']);
        expect((await waiting).events[0]!.results).toEqual([1]);
      } finally {
        await pausedNode.sendCommand(['CLIENT', 'UNPAUSE']);
      }
    } finally {
      await store.close();
      await admin.close();
      await removeRedisClusterKeys(url, prefix);
    }
  });

  it('answers a frame of a node once that node answers, while the due index\'s node, which a frame beside it in the call waits for, is paused', async () => {
    const prefix = `tw-cluster-due-${process.pid}`;
    const admin = createCluster({ rootNodes: [{ url }] });
    await admin.connect();
    const store = await RedisWindowStore.connect(url, { prefix, cluster: true });
    try {
      const masterOfKey = async (key: string) => admin.getSlotMaster(Number(await admin.sendCommand(undefined, true, ['CLUSTER', 'KEYSLOT', key])));
      const dueMaster = await masterOfKey(new DueIndexKeys(prefix).due);
      // Two visitors of one node other than the due index's, in slots of their own: their frames travel in one call.
      const found: Array<{ visitor: string; slot: number }> = [];
      let nodeId: string | undefined;
      for (let i = 0; found.length < 2; i++) {
        if (i > 5_000) throw new Error('no two visitors found on a node without the due index');
        const visitor = `hol-${i}`;
        const slot = Number(await admin.sendCommand(undefined, true, ['CLUSTER', 'KEYSLOT', `${prefix}:{shop:${visitor}}:e`]));
        const master = admin.getSlotMaster(slot);
        if (master.id === dueMaster.id || (nodeId !== undefined && master.id !== nodeId) || found.some((f) => f.slot === slot)) continue;
        nodeId = master.id;
        found.push({ visitor, slot });
      }
      const [plain, arming] = found.map(({ visitor }) => ({ site: 'shop', visitor }));
      // The node has run the apply script once (no NOSCRIPT round trip below).
      await Promise.all([store.apply(view(plain!)), store.apply(view(arming!))]);
      const dueNode = await admin.nodeClient(dueMaster);
      await dueNode.sendCommand(['CLIENT', 'PAUSE', '10000', 'WRITE']);
      try {
        const arms = store.apply({ visitor: arming!, now: t0, events: [{ eventId: 'arm', ops: [{ kind: 'timer.arm' as const, timer: 'reminder', due: t0 + 60_000, payload: 'p' }] }] });
        const views = store.apply(view(plain!, 'e2'));
        const first = await Promise.race([views.then(() => 'the frame that armed nothing'), new Promise((resolve) => setTimeout(() => resolve('nothing within 2 s'), 2_000))]);
        expect(first).toBe('the frame that armed nothing');
        await dueNode.sendCommand(['CLIENT', 'UNPAUSE']);
        await Promise.all([arms, views]);
      } finally {
        await dueNode.sendCommand(['CLIENT', 'UNPAUSE']);
      }
    } finally {
      await store.close();
      await admin.close();
      await removeRedisClusterKeys(url, prefix);
    }
  });
});
