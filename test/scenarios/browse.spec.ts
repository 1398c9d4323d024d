import { afterEach, describe, expect, test } from 'vitest';
import { loadPack } from '../../engine/scenarios/pack/index.js';
import { DAY, HOUR, MINUTE, T0, openHarness, signIn, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const VIEW_ABANDONED = await loadPack(['view-abandoned', 'view-abandoned-unavailable']);
const VIEW_PRICE_DROP = await loadPack(['view-abandoned-price-drop']);
const CATEGORY_ABANDONED = await loadPack(['category-abandoned']);
const SEARCH_ABANDONED = await loadPack(['search-abandoned']);

describe.each(await storeKinds())('built-in browse abandonment scenarios, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('products viewed and none added within two hours: one email about the last one viewed', async () => {
    harness = await openHarness(kind, url, VIEW_ABANDONED);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'product', { id: 'mug', name: 'Mug', stock: 'in_stock' }, T0);
    await harness.send('ann', 'product', { id: 'cup', name: 'Cup', stock: 'in_stock' }, T0 + 10 * MINUTE);
    await harness.advanceTo(T0 + 10 * MINUTE + 2 * HOUR - 1);
    expect(harness.triggers()).toEqual([]);
    await harness.advanceTo(T0 + DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'view-abandoned', time: T0 + 10 * MINUTE + 2 * HOUR }]);
    expect(harness.emails[0]?.context.props.id).toBe('cup');
  });

  test.skipIf(skip !== undefined)('a cart add within two hours of the view is not an abandoned view', async () => {
    harness = await openHarness(kind, url, VIEW_ABANDONED);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'product', { id: 'mug', stock: 'in_stock' }, T0);
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0 + HOUR);
    await harness.advanceTo(T0 + DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a product the page reports as out_of_stock (the tracker\'s JSON-LD capture, the demo shop) gets similar picks, not the abandoned-view email', async () => {
    harness = await openHarness(kind, url, VIEW_ABANDONED);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'product', { id: 'lamp', name: 'Lamp', stock: 'out_of_stock' }, T0);
    await harness.advanceTo(T0 + DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'view-abandoned-unavailable', time: T0 + 2 * HOUR }]);
  });

  test.skipIf(skip !== undefined)('a product whose page did not say its stock gets the abandoned-view email', async () => {
    harness = await openHarness(kind, url, VIEW_ABANDONED);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'product', { id: 'mug', name: 'Mug' }, T0);
    await harness.advanceTo(T0 + DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'view-abandoned', time: T0 + 2 * HOUR }]);
  });

  test.skipIf(skip !== undefined)('a product in stock does not start the unavailable-item email', async () => {
    harness = await openHarness(kind, url, await loadPack(['view-abandoned-unavailable']));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'product', { id: 'mug', stock: 'in_stock' }, T0);
    await harness.advanceTo(T0 + DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a price drop within three days of a view sends the abandoned-view price-drop email', async () => {
    harness = await openHarness(kind, url, VIEW_PRICE_DROP);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'product', { id: 'mug', name: 'Mug' }, T0);
    await harness.send('ann', 'price_drop', { id: 'mug', name: 'Mug', price: 9, old_price: 12, reason: 'viewed' }, T0 + 2 * DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'view-abandoned-price-drop', time: T0 + 2 * DAY }]);
  });

  test.skipIf(skip !== undefined)('a price drop three days or more after the view is too late for it', async () => {
    harness = await openHarness(kind, url, VIEW_PRICE_DROP);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'product', { id: 'mug' }, T0);
    await harness.send('ann', 'price_drop', { id: 'mug', price: 9, old_price: 12, reason: 'viewed' }, T0 + 3 * DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a price drop of another product than the one viewed does not fire', async () => {
    harness = await openHarness(kind, url, VIEW_PRICE_DROP);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'product', { id: 'mug' }, T0);
    await harness.send('ann', 'price_drop', { id: 'cup', price: 5, old_price: 7, reason: 'viewed' }, T0 + HOUR);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a category left for 20 minutes sends its best sellers', async () => {
    harness = await openHarness(kind, url, CATEGORY_ABANDONED);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'category', { id: 'mugs', name: 'Mugs' }, T0);
    await harness.advanceTo(T0 + 20 * MINUTE);
    expect(harness.fired()).toMatchObject([{ scenario: 'category-abandoned', time: T0 + 20 * MINUTE }]);
    expect(harness.emails[0]?.context.props.id).toBe('mugs');
  });

  test.skipIf(skip !== undefined)('a product of the category viewed in time means the category was not abandoned', async () => {
    harness = await openHarness(kind, url, CATEGORY_ABANDONED);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'category', { id: 'mugs' }, T0);
    await harness.send('ann', 'product', { id: 'blue-mug', category: 'mugs' }, T0 + 19 * MINUTE);
    await harness.advanceTo(T0 + DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a search with no product opened within 10 minutes sends results for the last search', async () => {
    harness = await openHarness(kind, url, SEARCH_ABANDONED);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('ann', 'search', { q: 'blue mug' }, T0 + 2 * MINUTE);
    await harness.advanceTo(T0 + HOUR);
    expect(harness.fired()).toMatchObject([{ scenario: 'search-abandoned', time: T0 + 12 * MINUTE }]);
    expect(harness.emails[0]?.context.props.q).toBe('blue mug');
  });

  test.skipIf(skip !== undefined)('opening a product after the search means the search was not abandoned', async () => {
    harness = await openHarness(kind, url, SEARCH_ABANDONED);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('ann', 'product', { id: 'blue-mug' }, T0 + 9 * MINUTE);
    await harness.advanceTo(T0 + HOUR);
    expect(harness.triggers()).toEqual([]);
  });
});
