import { afterEach, describe, expect, test } from 'vitest';
import { loadPack } from '../../engine/scenarios/pack/index.js';
import { DAY, HOUR, MINUTE, T0, openHarness, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const VIEWED_3_TIMES = await loadPack(['product-viewed-3-times']);
const CART_ON_RETURN = await loadPack(['cart-on-return']);
const EXIT_INTENT = await loadPack(['exit-intent-cart']);
const SECTION = await loadPack(['section-popin']);
const SEARCH_KEYWORDS = await loadPack(['search-keywords-popin']);

const SHOP = 'https://shop.example';

describe.each(await storeKinds())('built-in real-time pop-ins, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('a product viewed three times in 30 minutes shows the pop-in on the third view', async () => {
    harness = await openHarness(kind, url, VIEWED_3_TIMES);
    for (const minute of [0, 5, 25]) await harness.send('ann', 'product', { id: 'mug', name: 'Mug' }, T0 + minute * MINUTE);
    expect(harness.popins).toMatchObject([{ visitor: 'ann', action: { template: 'modal' } }]);
  });

  test.skipIf(skip !== undefined)('three views of different products show no pop-in', async () => {
    harness = await openHarness(kind, url, VIEWED_3_TIMES);
    for (const id of ['mug', 'cup', 'bowl']) await harness.send('ann', 'product', { id }, T0);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a returning visitor landing on the site with a cart sees the cart pop-in', async () => {
    harness = await openHarness(kind, url, CART_ON_RETURN);
    await harness.send('ann', 'page', { title: 'Home' }, T0);
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0 + MINUTE);
    await harness.send('ann', 'page', { title: 'Mugs', ref: `${SHOP}/` }, T0 + 2 * MINUTE);
    expect(harness.triggers()).toEqual([]);
    await harness.send('ann', 'page', { title: 'Home' }, T0 + 2 * DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'cart-on-return', time: T0 + 2 * DAY }]);
    expect(harness.popins).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('a first-time visitor opening a new tab with a fresh cart sees no return pop-in', async () => {
    harness = await openHarness(kind, url, CART_ON_RETURN);
    await harness.send('ann', 'page', { title: 'Home' }, T0);
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0 + MINUTE);
    await harness.send('ann', 'page', { title: 'Home' }, T0 + 5 * MINUTE);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a returning visitor without a cart add in the last week sees no cart pop-in', async () => {
    harness = await openHarness(kind, url, CART_ON_RETURN);
    await harness.send('ann', 'page', { title: 'Home' }, T0);
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0 + MINUTE);
    await harness.send('ann', 'page', { title: 'Home' }, T0 + 8 * DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('leaving the page after a cart add shows the exit-intent pop-in', async () => {
    harness = await openHarness(kind, url, EXIT_INTENT);
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0);
    await harness.send('ann', 'exit_intent', {}, T0 + 10 * MINUTE);
    expect(harness.fired()).toMatchObject([{ scenario: 'exit-intent-cart', time: T0 + 10 * MINUTE }]);
  });

  test.skipIf(skip !== undefined)('leaving without a cart add today shows no exit-intent pop-in', async () => {
    harness = await openHarness(kind, url, EXIT_INTENT);
    await harness.send('bob', 'exit_intent', {}, T0);
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0);
    await harness.send('ann', 'exit_intent', {}, T0 + DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('the section pop-in shows on a sale page after a day without one', async () => {
    harness = await openHarness(kind, url, SECTION);
    await harness.send('ann', 'page', { title: 'Home' }, T0, 'p1', `${SHOP}/`);
    await harness.send('ann', 'page', { title: 'Sale' }, T0 + MINUTE, 'p2', `${SHOP}/sale/`);
    await harness.send('ann', 'page', { title: 'Sale mugs' }, T0 + 2 * MINUTE, 'p3', `${SHOP}/sale/mugs`);
    expect(harness.fired()).toMatchObject([{ scenario: 'section-popin', time: T0 + MINUTE }]);
    await harness.send('ann', 'page', { title: 'Sale' }, T0 + MINUTE + DAY, 'p4', `${SHOP}/sale/`);
    expect(harness.fired()).toHaveLength(1);
    await harness.send('ann', 'page', { title: 'Sale' }, T0 + 2 * MINUTE + 2 * DAY, 'p5', `${SHOP}/sale/`);
    expect(harness.fired()).toHaveLength(2);
  });

  test.skipIf(skip !== undefined)('pages outside the section show no section pop-in', async () => {
    harness = await openHarness(kind, url, SECTION);
    await harness.send('ann', 'page', { title: 'Mugs' }, T0, 'p1', `${SHOP}/mugs/`);
    await harness.send('ann', 'page', { title: 'Sales terms' }, T0 + MINUTE, 'p2', `${SHOP}/terms#sales`);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a search with a gift keyword, in any case, shows the gift pop-in', async () => {
    harness = await openHarness(kind, url, SEARCH_KEYWORDS);
    await harness.send('ann', 'search', { q: 'Birthday GIFT for dad' }, T0);
    await harness.send('bob', 'search', { q: 'present' }, T0);
    expect(harness.fired().map((firing) => firing.visitor)).toEqual(['ann', 'bob']);
  });

  test.skipIf(skip !== undefined)('other searches show no gift pop-in', async () => {
    harness = await openHarness(kind, url, SEARCH_KEYWORDS);
    await harness.send('ann', 'search', { q: 'blue mug' }, T0);
    await harness.send('ann', 'search', { q: 'giraffe' }, T0 + HOUR);
    expect(harness.triggers()).toEqual([]);
  });
});
