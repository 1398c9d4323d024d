/*
 * On Redis, a frame the apply script fails part way keeps the writes made before the error: its
 * events are marked seen, and their resend comes back as duplicates. Their rows must still reach
 * the warehouse, once.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTargetWindowStore, type TargetWindowStore } from '../../test/support/redis-window-store.js';
import { redisTargets } from '../../test/support/redis-targets.js';
import { T0, pipelineWith, recording } from '../../test/support/trigger-pipeline.js';
import { ManualClock, type TrackedEvent } from '../events/index.js';
import type { Frame } from './frame.js';

const redis = await redisTargets();
afterAll(() => redis.stop());

const view: TrackedEvent = { id: 'v1', site: 'shop', visitor: 'ann', session: 's', type: 'product', time: T0, receivedAt: T0, url: '', props: { id: 'mug' } };

function frameOf(events: TrackedEvent[], outcomes: string[]): Frame {
  return { visitor: { site: 'shop', visitor: 'ann' }, events, receivedAt: T0, reply: { ack: () => outcomes.push('acked'), fail: (code) => outcomes.push(`failed ${code}`) } };
}

for (const target of redis.targets) {
  describe.skipIf(target.skip !== undefined)(`TriggerPipeline on ${target.name}, a frame its apply failed part way${target.skip === undefined ? '' : ` (skipped: ${target.skip})`}`, () => {
    let opened: TargetWindowStore;

    beforeEach(async () => {
      opened = await openTargetWindowStore(target, { retention: { profileTtl: 3_600_000, dedupeHorizon: 3_600_000 } });
    });

    afterEach(() => opened.close());

    it('is written to the warehouse once when its resend comes back as duplicates', async () => {
      const clock = new ManualClock(T0);
      const { pipeline, sink } = pipelineWith(recording([]), clock, { store: opened.store });
      // A foreign string where Ann's windows should be: the script marks her event seen, then fails on WRONGTYPE.
      const windows = `${opened.prefix}:{shop:ann}:w`;
      await opened.set(windows, 'not a window');
      const outcomes: string[] = [];
      await pipeline.process(frameOf([view], outcomes));
      await opened.del(windows);
      await pipeline.process(frameOf([view], outcomes));
      await pipeline.process(frameOf([view], outcomes));
      expect(outcomes).toEqual(['failed TW_STORE_UNAVAILABLE', 'acked', 'acked']);
      expect(sink.rows.events.map((row) => row.event_id)).toEqual(['v1']);
    });
  });
}
