import { describe, expect, test } from 'vitest';
import { ManualClock, type TrackedEvent } from '../events/index.js';
import { createLogger } from '../observability/index.js';
import type { Frame } from '../pipeline/index.js';
import { ScenarioEvaluator } from '../scenarios/index.js';
import { MemoryInterestIndex, MemoryWindowStore } from '../state/index.js';
import { CatalogueFanOut } from './catalogue-fan-out.js';
import { interestUpdates } from './interest-updates.js';
import type { CatalogueChange, CatalogueProduct } from './product.js';

const DAY = 86_400_000;
const T0 = 1_700_000_000_000;
const SITE = 'shop';
const LAMP: CatalogueProduct = { id: 'lamp', name: 'Brass lamp', price: 60, category: 'lighting', stock: 'in_stock', url: '/p/lamp', image: '/img/lamp.svg', stockSince: T0, updatedAt: T0 };

/** An index, a store and an intake that keeps what it is given, as the pipeline would process it. */
function fanOutRig() {
  const clock = new ManualClock(T0);
  const index = new MemoryInterestIndex();
  const store = new MemoryWindowStore(undefined, clock);
  const received: TrackedEvent[] = [];
  const intake = {
    process: async (frame: Frame) => {
      received.push(...frame.events);
      frame.reply.ack(frame.events.map((event) => event.id));
    },
  };
  const fanOut = new CatalogueFanOut({ index, store, intake, clock, logger: createLogger('silent') }, { viewedWithin: 14 * DAY, concurrency: 4 });
  /** What a visitor did at `at`: recorded in the store and the index as the live path does. */
  const did = async (visitor: string, type: TrackedEvent['type'], props: TrackedEvent['props'], at: number) => {
    const event: TrackedEvent = { id: `${visitor}-${type}-${at}`, site: SITE, visitor, session: '', type, time: at, receivedAt: at, url: '', props };
    const plan = new ScenarioEvaluator([]).plan({ site: SITE, visitor }, [event]);
    await store.apply({ visitor: { site: SITE, visitor }, now: at, events: plan.ops });
    await index.record({ site: SITE, visitor }, interestUpdates([event]), at);
  };
  const change = (kind: CatalogueChange['kind'], previousStockSince = T0): CatalogueChange => ({
    kind,
    site: SITE,
    product: LAMP,
    oldPrice: 80,
    previousStockSince,
    at: clock.now(),
  });
  const told = () => received.map((event) => [event.visitor, event.type, event.props.reason]).sort();
  return { clock, fanOut, did, change, told, received };
}

describe('CatalogueFanOut', () => {
  test('tells of a price drop the visitors who viewed the product in the last 14 days, and carts of any age', async () => {
    const rig = fanOutRig();
    await rig.did('old-viewer', 'product', { id: 'lamp' }, T0);
    await rig.did('old-cart', 'cart_add', { id: 'lamp' }, T0);
    await rig.did('recent-viewer', 'product', { id: 'lamp' }, T0 + 10 * DAY);
    rig.clock.set(T0 + 15 * DAY);
    const report = await rig.fanOut.deliver([rig.change('price_drop')]);
    expect(report).toEqual({ events: 2, failed: 0 });
    expect(rig.told()).toEqual([
      ['old-cart', 'price_drop', 'in_cart'],
      ['recent-viewer', 'price_drop', 'viewed'],
    ]);
  });

  test('tells of a return to stock only the visitors who viewed the product since it went out of stock, and carts', async () => {
    const rig = fanOutRig();
    await rig.did('viewed-while-in-stock', 'product', { id: 'lamp' }, T0 + 1);
    await rig.did('viewed-while-out', 'product', { id: 'lamp' }, T0 + 3 * DAY);
    await rig.did('cart', 'cart_add', { id: 'lamp' }, T0 + 1);
    rig.clock.set(T0 + 4 * DAY);
    await rig.fanOut.deliver([rig.change('back_in_stock', T0 + 2 * DAY)]);
    expect(rig.told()).toEqual([
      ['cart', 'back_in_stock', 'in_cart'],
      ['viewed-while-out', 'back_in_stock', 'viewed'],
    ]);
  });

  test('sends one event to a visitor who both viewed the product and has it in their cart, with reason in_cart', async () => {
    const rig = fanOutRig();
    await rig.did('ann', 'product', { id: 'lamp' }, T0);
    await rig.did('ann', 'cart_add', { id: 'lamp' }, T0 + 1);
    await rig.fanOut.deliver([rig.change('price_drop')]);
    expect(rig.told()).toEqual([['ann', 'price_drop', 'in_cart']]);
  });

  test('does not tell a visitor whose cart a purchase emptied', async () => {
    const rig = fanOutRig();
    await rig.did('ann', 'cart_add', { id: 'lamp' }, T0);
    await rig.did('ann', 'purchase', { order: 'A-1', value: 80 }, T0 + 1);
    await rig.fanOut.deliver([rig.change('price_drop')]);
    expect(rig.told()).toEqual([]);
  });

  test('carries product data from the catalogue, with the old price and an id that makes a retry a duplicate', async () => {
    const rig = fanOutRig();
    await rig.did('ann', 'product', { id: 'lamp', price: 1, name: 'made up' }, T0);
    await rig.fanOut.deliver([rig.change('price_drop')]);
    expect(rig.received[0]).toMatchObject({
      id: `price_drop:lamp:${T0}`,
      type: 'price_drop',
      time: T0,
      url: '/p/lamp',
      props: { id: 'lamp', name: 'Brass lamp', price: 60, old_price: 80, image: '/img/lamp.svg', url: '/p/lamp', category: 'lighting', reason: 'viewed' },
    });
  });

  test('fans nothing out for a product going out of stock', async () => {
    const rig = fanOutRig();
    await rig.did('ann', 'product', { id: 'lamp' }, T0);
    expect(await rig.fanOut.deliver([rig.change('out_of_stock')])).toEqual({ events: 0, failed: 0 });
  });
});
