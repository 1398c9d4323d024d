import { afterEach, describe, expect, test, vi } from 'vitest';
import { ManualClock, type TrackedEvent } from '../events/index.js';
import { createLogger } from '../observability/index.js';
import type { Frame } from '../pipeline/index.js';
import { ScenarioEvaluator } from '../scenarios/index.js';
import { MemoryInterestIndex, MemoryWindowStore } from '../state/index.js';
import { CatalogueFanOut } from './catalogue-fan-out.js';
import { CatalogueFeed } from './catalogue-feed.js';
import { CatalogueMirror } from './catalogue-mirror.js';
import { interestUpdates } from './interest-updates.js';
import { MemoryCatalogueStore } from './memory/index.js';

const DAY = 86_400_000;
const T0 = 1_700_000_000_000;
const SITE = 'shop';

/** A feed over the in-process store, whose pipeline fails every frame while `down` is set. */
function feedRig() {
  const clock = new ManualClock(T0);
  const index = new MemoryInterestIndex();
  const state = new MemoryWindowStore(undefined, clock);
  const store = new MemoryCatalogueStore();
  const told: Array<[string, string]> = [];
  const pipeline = { down: false };
  const intake = {
    process: async (frame: Frame) => {
      if (pipeline.down) throw new Error('the window store did not answer');
      told.push(...frame.events.map((event): [string, string] => [event.visitor, event.type]));
      frame.reply.ack(frame.events.map((event) => event.id));
    },
  };
  const logger = createLogger('silent');
  const fanOut = new CatalogueFanOut({ index, store: state, intake, clock, logger }, { viewedWithin: 14 * DAY, concurrency: 4 });
  const feed = new CatalogueFeed({ store, mirror: new CatalogueMirror(store, SITE), fanOut, clock, logger });
  const viewed = async (visitor: string, product: string) => {
    const event: TrackedEvent = { id: `${visitor}-${clock.now()}`, site: SITE, visitor, session: '', type: 'product', time: clock.now(), receivedAt: clock.now(), url: '', props: { id: product } };
    const plan = new ScenarioEvaluator([]).plan({ site: SITE, visitor }, [event]);
    await state.apply({ visitor: { site: SITE, visitor }, now: clock.now(), events: plan.ops });
    await index.record({ site: SITE, visitor }, interestUpdates([event]), clock.now());
  };
  return { clock, store, feed, told, pipeline, viewed };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('CatalogueFeed', () => {
  test('a back-in-stock fan-out that fails after the catalogue write reaches its subscribers when the feed is sent again', async () => {
    const rig = feedRig();
    await rig.feed.update(SITE, [{ id: 'lamp', name: 'Brass lamp', price: 60, stock: 'out_of_stock' }]);
    rig.clock.advance(DAY);
    await rig.viewed('waiting-visitor', 'lamp');
    rig.clock.advance(DAY);
    rig.pipeline.down = true;
    const failed = await rig.feed.update(SITE, [{ id: 'lamp', stock: 'in_stock' }]);
    expect(failed.fanOut).toEqual({ events: 1, failed: 1 });
    expect(rig.told).toEqual([]);

    rig.pipeline.down = false;
    const resent = await rig.feed.update(SITE, [{ id: 'lamp', stock: 'in_stock' }]);
    expect(resent).toMatchObject({ unchanged: 1, changes: [] });
    expect(rig.told).toEqual([['waiting-visitor', 'back_in_stock']]);
    expect(await rig.store.pendingFanOuts(SITE)).toEqual([]);

    await rig.feed.update(SITE, [{ id: 'lamp', stock: 'in_stock' }]);
    expect(rig.told).toHaveLength(1);
  });

  test('a fan-out that failed is tried again on its own, while its site sends no update', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const rig = feedRig();
    await rig.feed.update(SITE, [{ id: 'lamp', name: 'Brass lamp', price: 60 }]);
    await rig.viewed('bargain-hunter', 'lamp');
    rig.pipeline.down = true;
    await rig.feed.update(SITE, [{ id: 'lamp', price: 45 }]);
    const retries = rig.feed.retryPending([SITE], 60_000);
    try {
      await vi.advanceTimersByTimeAsync(60_000);
      expect(rig.told).toEqual([]);
      rig.pipeline.down = false;
      await vi.advanceTimersByTimeAsync(60_000);
      expect(rig.told).toEqual([['bargain-hunter', 'price_drop']]);
      expect(await rig.store.pendingFanOuts(SITE)).toEqual([]);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(rig.told).toHaveLength(1);
    } finally {
      retries.stop();
    }
  });

  test('fan-outs left pending by a stopped engine are delivered when the next one resumes', async () => {
    const rig = feedRig();
    await rig.feed.update(SITE, [{ id: 'lamp', name: 'Brass lamp', price: 60 }]);
    await rig.viewed('bargain-hunter', 'lamp');
    rig.pipeline.down = true;
    await rig.feed.update(SITE, [{ id: 'lamp', price: 45 }]);
    rig.pipeline.down = false;
    await rig.feed.resume([SITE]);
    expect(rig.told).toEqual([['bargain-hunter', 'price_drop']]);
    expect(await rig.store.pendingFanOuts(SITE)).toEqual([]);
  });
});
