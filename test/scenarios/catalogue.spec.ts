import { afterEach, describe, expect, test } from 'vitest';
import { loadPack } from '../../engine/scenarios/pack/index.js';
import { DAY, HOUR, T0, openHarness, signIn, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const PRICE_DROP = await loadPack(['price-drop-viewed']);
const PRICE_DROPS = await loadPack(['price-drop-viewed', 'view-abandoned-price-drop']);
const BACK_IN_STOCK = await loadPack(['back-in-stock']);
const STILL_OUT = await loadPack(['still-out-of-stock']);

const LAMP = { id: 'lamp', name: 'Lamp', price: 40, old_price: 55, image: '/img/lamp.jpg', url: '/p/lamp', category: 'lights' };

describe.each(await storeKinds())('built-in catalogue scenarios, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('a price drop on a product the visitor viewed sends the price-drop email', async () => {
    harness = await openHarness(kind, url, PRICE_DROP);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'price_drop', { ...LAMP, reason: 'viewed' }, T0 + 10 * DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'price-drop-viewed', time: T0 + 10 * DAY }]);
    expect(harness.emails[0]?.context.props).toMatchObject({ price: 40, old_price: 55 });
  });

  test.skipIf(skip !== undefined)('a price drop of a product in the cart is left to the cart price-drop email', async () => {
    harness = await openHarness(kind, url, PRICE_DROP);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'price_drop', { ...LAMP, reason: 'in_cart' }, T0 + DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a recent viewer gets the abandoned-view price drop; the general one is suppressed by priority', async () => {
    harness = await openHarness(kind, url, PRICE_DROPS);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'product', { id: 'lamp', name: 'Lamp' }, T0);
    await harness.send('ann', 'price_drop', { ...LAMP, reason: 'viewed' }, T0 + DAY);
    expect(harness.triggers()).toMatchObject([
      { scenario: 'view-abandoned-price-drop', status: 'fired' },
      { scenario: 'price-drop-viewed', status: 'suppressed', reason: 'priority' },
    ]);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['view-price-drop']);
  });

  test.skipIf(skip !== undefined)('a product back in stock is emailed to the visitor it was fanned out to', async () => {
    harness = await openHarness(kind, url, BACK_IN_STOCK);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'back_in_stock', { ...LAMP, reason: 'viewed' }, T0 + 3 * DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'back-in-stock', time: T0 + 3 * DAY }]);
    expect(harness.emails[0]?.context.props.name).toBe('Lamp');
  });

  test.skipIf(skip !== undefined)('an anonymous visitor gets no back-in-stock email', async () => {
    harness = await openHarness(kind, url, BACK_IN_STOCK);
    await harness.send('ann', 'back_in_stock', { ...LAMP, reason: 'viewed' }, T0);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a product the page reports as out_of_stock (the tracker\'s JSON-LD capture, the demo shop) starts the still-out-of-stock email, sent a week after the view', async () => {
    harness = await openHarness(kind, url, STILL_OUT);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'product', { id: 'lamp', name: 'Lamp', stock: 'out_of_stock' }, T0);
    await harness.advanceTo(T0 + 7 * DAY - 1);
    expect(harness.triggers()).toEqual([]);
    await harness.advanceTo(T0 + 7 * DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'still-out-of-stock', time: T0 + 7 * DAY }]);
  });

  test.skipIf(skip !== undefined)('the product coming back in stock within the week cancels the alternatives', async () => {
    harness = await openHarness(kind, url, STILL_OUT);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'product', { id: 'lamp', stock: 'out_of_stock' }, T0);
    await harness.send('ann', 'back_in_stock', { ...LAMP, reason: 'viewed' }, T0 + 3 * DAY);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('another product back in stock does not cancel them', async () => {
    harness = await openHarness(kind, url, STILL_OUT);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'product', { id: 'lamp', stock: 'out_of_stock' }, T0);
    await harness.send('ann', 'back_in_stock', { ...LAMP, id: 'sofa', reason: 'viewed' }, T0 + HOUR);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.fired()).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('a product viewed while in stock starts no still-out-of-stock email', async () => {
    harness = await openHarness(kind, url, STILL_OUT);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'product', { id: 'lamp', stock: 'in_stock' }, T0);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.triggers()).toEqual([]);
  });
});
