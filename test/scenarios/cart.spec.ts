import { afterEach, describe, expect, test } from 'vitest';
import { loadPack } from '../../engine/scenarios/pack/index.js';
import { DAY, HOUR, MINUTE, T0, openHarness, signIn, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const CART_ABANDONED = await loadPack(['cart-abandoned']);
const CART_REMINDER_D3 = await loadPack(['cart-reminder-d3']);
const CART_PRICE_DROP = await loadPack(['cart-price-drop']);

const MUG_DROP = { id: 'mug', name: 'Mug', price: 9, old_price: 12, image: '/img/mug.jpg', url: '/p/mug', category: 'kitchen' };

describe.each(await storeKinds())('built-in cart scenarios, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('an abandoned cart is emailed an hour after the last cart add, with its lines', async () => {
    harness = await openHarness(kind, url, CART_ABANDONED);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug', name: 'Mug', price: 12, qty: 1 }, T0);
    await harness.send('ann', 'cart_add', { id: 'cup', name: 'Cup', price: 8, qty: 2 }, T0 + 10 * MINUTE);
    await harness.advanceTo(T0 + 10 * MINUTE + HOUR - 1);
    expect(harness.triggers()).toEqual([]);
    await harness.advanceTo(T0 + 10 * MINUTE + HOUR);
    expect(harness.fired()).toMatchObject([{ scenario: 'cart-abandoned', time: T0 + 10 * MINUTE + HOUR }]);
    expect(harness.emails[0]?.context.cartTotal).toBe(28);
  });

  test.skipIf(skip !== undefined)('a purchase within the hour means no abandoned-cart email', async () => {
    harness = await openHarness(kind, url, CART_ABANDONED);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0);
    await harness.send('ann', 'purchase', { order: 'o1', value: 12 }, T0 + 30 * MINUTE);
    await harness.advanceTo(T0 + DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('the cart reminder goes three days after the last cart add', async () => {
    harness = await openHarness(kind, url, CART_REMINDER_D3);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0);
    await harness.advanceTo(T0 + 3 * DAY - 1);
    expect(harness.triggers()).toEqual([]);
    await harness.advanceTo(T0 + 3 * DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'cart-reminder-d3', time: T0 + 3 * DAY }]);
  });

  test.skipIf(skip !== undefined)('a checkout on day two cancels the D+3 reminder', async () => {
    harness = await openHarness(kind, url, CART_REMINDER_D3);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0);
    await harness.send('ann', 'checkout', { value: 12 }, T0 + 2 * DAY);
    await harness.advanceTo(T0 + 5 * DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('with both enabled, an untouched cart gets the 1 h email and the D+3 reminder', async () => {
    harness = await openHarness(kind, url, [...CART_ABANDONED, ...CART_REMINDER_D3]);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0);
    await harness.advanceTo(T0 + 4 * DAY);
    expect(harness.fired().map((firing) => [firing.scenario, firing.time])).toEqual([
      ['cart-abandoned', T0 + HOUR],
      ['cart-reminder-d3', T0 + 3 * DAY],
    ]);
  });

  test.skipIf(skip !== undefined)('a price drop of a product in the cart sends one email with the catalogue price', async () => {
    harness = await openHarness(kind, url, CART_PRICE_DROP);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'price_drop', { ...MUG_DROP, reason: 'in_cart' }, T0 + DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'cart-price-drop', time: T0 + DAY }]);
    expect(harness.emails[0]?.context.props).toMatchObject({ id: 'mug', price: 9, old_price: 12 });
  });

  test.skipIf(skip !== undefined)('a price drop of a product only viewed is not a cart price drop', async () => {
    harness = await openHarness(kind, url, CART_PRICE_DROP);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'price_drop', { ...MUG_DROP, reason: 'viewed' }, T0 + DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a second drop of the same product the same day sends no second email', async () => {
    harness = await openHarness(kind, url, CART_PRICE_DROP);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'price_drop', { ...MUG_DROP, reason: 'in_cart' }, T0 + HOUR);
    await harness.send('ann', 'price_drop', { ...MUG_DROP, price: 8, old_price: 9, reason: 'in_cart' }, T0 + 5 * HOUR);
    expect(harness.emails).toHaveLength(1);
  });
});
