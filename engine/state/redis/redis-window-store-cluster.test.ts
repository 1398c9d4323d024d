/*
 * What a Redis Cluster adds to the window store's specification: frames of visitors on different
 * nodes do not wait on each other.
 */
import { createCluster } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisClusterForTests, removeRedisClusterKeys } from '../../../test/support/redis-cluster.js';
import type { VisitorRef } from '../../events/index.js';
import { RedisWindowStore } from './index.js';

const cluster = await redisClusterForTests();
if ('url' in cluster) afterAll(() => cluster.stop());

const t0 = 1_800_000_000_000;
const view = (visitor: VisitorRef) => ({ visitor, now: t0, events: [{ eventId: 'e1', ops: [{ kind: 'window.add' as const, key: 'views', member: 'm1', at: t0, span: 60_000 }] }] });

describe.skipIf('skip' in cluster)('RedisWindowStore on a Redis Cluster', () => {
  const url = 'url' in cluster ? cluster.url : '';

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
});
