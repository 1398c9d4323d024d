import { afterEach, describe, expect, test } from 'vitest';
import { loadPack } from '../../engine/scenarios/pack/index.js';
import { DAY, HOUR, MINUTE, T0, compileScenarios, openHarness, signIn, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const ORDER_CONFIRMATION = await loadPack(['order-confirmation']);
const CROSS_SELL = await loadPack(['post-purchase-cross-sell']);
const REVIEW = await loadPack(['post-purchase-review']);
const REPURCHASE = await loadPack(['repurchase-30d']);
const NEXT_BEST_OFFER = await loadPack(['next-best-offer']);

const THANK_YOU_OFFER = `
id: thank-you-offer
priority: 50
when:
  count: { event: purchase, atLeast: 1, within: 1s }
then:
  email: { template: thank-you-offer }
`;

describe.each(await storeKinds())('built-in post-purchase scenarios, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('the order confirmation goes at once, on the purchase', async () => {
    harness = await openHarness(kind, url, ORDER_CONFIRMATION);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0 + MINUTE);
    expect(harness.fired()).toMatchObject([{ scenario: 'order-confirmation', time: T0 + MINUTE }]);
    expect(harness.emails[0]?.context.props.order).toBe('A-1');
  });

  test.skipIf(skip !== undefined)('a purchase reported twice for one order is confirmed once', async () => {
    harness = await openHarness(kind, url, ORDER_CONFIRMATION);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0, 'purchase-from-page');
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0 + MINUTE, 'purchase-from-server');
    expect(harness.emails).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('every order is confirmed: there is no quiet period', async () => {
    harness = await openHarness(kind, url, ORDER_CONFIRMATION);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0);
    await harness.send('ann', 'purchase', { order: 'A-2', value: 12 }, T0 + MINUTE);
    expect(harness.emails.map((email) => email.context.props.order)).toEqual(['A-1', 'A-2']);
  });

  test.skipIf(skip !== undefined)('the order confirmation does not compete with a marketing email fired by the same purchase', async () => {
    harness = await openHarness(kind, url, [...ORDER_CONFIRMATION, ...compileScenarios(THANK_YOU_OFFER)]);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0);
    expect(harness.emails.map((email) => email.action.template).sort()).toEqual(['order-confirmation', 'thank-you-offer']);
  });

  test.skipIf(skip !== undefined)('the order confirmation is exempt from the email frequency cap and does not use it up', async () => {
    harness = await openHarness(kind, url, [...ORDER_CONFIRMATION, ...compileScenarios(THANK_YOU_OFFER)], { caps: { email: { limit: 1, within: DAY } } });
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0);
    await harness.send('ann', 'purchase', { order: 'A-2', value: 30 }, T0 + HOUR);
    expect(harness.emails.map((email) => `${email.action.template} ${String(email.context.props.order)}`)).toEqual([
      'order-confirmation A-1',
      'thank-you-offer A-1',
      'order-confirmation A-2',
    ]);
    expect(harness.triggers()).toContainEqual(expect.objectContaining({ scenario: 'thank-you-offer', reason: 'cap' }));
  });

  test.skipIf(skip !== undefined)('the order confirmation needs no marketing consent, only a verified address', async () => {
    harness = await openHarness(kind, url, ORDER_CONFIRMATION);
    await harness.send('ann', 'identify', { email: 'ann@example.test', verified: true }, T0);
    await harness.send('bob', 'identify', { email: 'bob@example.test', verified: false }, T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0 + MINUTE);
    await harness.send('bob', 'purchase', { order: 'B-1', value: 30 }, T0 + MINUTE);
    expect(harness.emails.map((email) => email.to)).toEqual(['ann@example.test']);
  });

  test.skipIf(skip !== undefined)('the cross-sell email goes two days after the last purchase', async () => {
    harness = await openHarness(kind, url, CROSS_SELL);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0);
    await harness.send('ann', 'purchase', { order: 'A-2', value: 30 }, T0 + DAY);
    await harness.advanceTo(T0 + 2 * DAY);
    expect(harness.triggers()).toEqual([]);
    await harness.advanceTo(T0 + 4 * DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'post-purchase-cross-sell', time: T0 + 3 * DAY }]);
  });

  test.skipIf(skip !== undefined)('each order gets a review request a week later', async () => {
    harness = await openHarness(kind, url, REVIEW);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0);
    await harness.advanceTo(T0 + 7 * DAY - 1);
    expect(harness.triggers()).toEqual([]);
    await harness.advanceTo(T0 + 7 * DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'post-purchase-review', time: T0 + 7 * DAY }]);
    expect(harness.emails[0]?.context.props.order).toBe('A-1');
  });

  test.skipIf(skip !== undefined)('a review already written for the order cancels its request', async () => {
    harness = await openHarness(kind, url, REVIEW);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0);
    await harness.send('ann', 'track', { name: 'review', order: 'A-1' }, T0 + 3 * DAY);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a review of another order does not cancel the request', async () => {
    harness = await openHarness(kind, url, REVIEW);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'purchase', { order: 'A-2', value: 30 }, T0);
    await harness.send('ann', 'track', { name: 'review', order: 'A-1' }, T0 + HOUR);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.fired()).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('a 30-day product is offered again 30 days after it was bought', async () => {
    harness = await openHarness(kind, url, REPURCHASE);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'item_purchased', id: 'coffee', replenish_days: 30 }, T0);
    await harness.advanceTo(T0 + 30 * DAY - 1);
    expect(harness.triggers()).toEqual([]);
    await harness.advanceTo(T0 + 30 * DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'repurchase-30d', time: T0 + 30 * DAY }]);
  });

  test.skipIf(skip !== undefined)('buying the product again restarts its 30 days', async () => {
    harness = await openHarness(kind, url, REPURCHASE);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'item_purchased', id: 'coffee', replenish_days: 30 }, T0);
    await harness.send('ann', 'track', { name: 'item_purchased', id: 'coffee', replenish_days: 30 }, T0 + 20 * DAY);
    await harness.advanceTo(T0 + 49 * DAY);
    expect(harness.triggers()).toEqual([]);
    await harness.advanceTo(T0 + 50 * DAY);
    expect(harness.fired()).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('a product that lasts longer is not offered at 30 days, and buying it does not cancel another', async () => {
    harness = await openHarness(kind, url, REPURCHASE);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'item_purchased', id: 'coffee', replenish_days: 30 }, T0);
    await harness.send('ann', 'track', { name: 'item_purchased', id: 'filters', replenish_days: 90 }, T0 + DAY);
    await harness.advanceTo(T0 + 60 * DAY);
    expect(harness.fired().map((firing) => [firing.time, harness.emails[0]?.context.props.id])).toEqual([[T0 + 30 * DAY, 'coffee']]);
  });

  test.skipIf(skip !== undefined)('the next best offer goes two weeks after the last purchase', async () => {
    harness = await openHarness(kind, url, NEXT_BEST_OFFER);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0);
    await harness.advanceTo(T0 + 14 * DAY - 1);
    expect(harness.triggers()).toEqual([]);
    await harness.advanceTo(T0 + 14 * DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'next-best-offer', time: T0 + 14 * DAY }]);
  });
});
