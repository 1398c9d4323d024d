import { afterEach, describe, expect, test } from 'vitest';
import { DAY, HOUR, MINUTE, T0, compileScenarios, openHarness, signIn, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const popinOn = (id: string, event: string) => `
id: ${id}
when:
  count: { event: ${event}, atLeast: 1, within: 1s }
then:
  popin: { title: "${id}" }
`;

const EMAIL_ON_CART = `
id: cart-email
when:
  count: { event: cart_add, atLeast: 1, within: 1s }
then:
  email: { template: cart }
`;

const ONE_POPIN_PER_10_MINUTES = { popin: { limit: 1, within: 10 * MINUTE } };
const TWO_EMAILS_A_DAY = { email: { limit: 2, within: DAY } };

describe.each(await storeKinds())('frequency caps per channel and visitor, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('a pop-in over the cap is recorded as suppressed for the cap, whichever scenario it comes from', async () => {
    harness = await openHarness(kind, url, compileScenarios(popinOn('on-search', 'search'), popinOn('on-category', 'category')), { caps: ONE_POPIN_PER_10_MINUTES });
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('ann', 'category', { id: 'mugs' }, T0 + 9 * MINUTE);
    expect(harness.triggers()).toMatchObject([
      { scenario: 'on-search', status: 'fired' },
      { scenario: 'on-category', status: 'suppressed', reason: 'cap' },
    ]);
    expect(harness.popins).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('the cap is a sliding window: the next pop-in is allowed once the first leaves it', async () => {
    harness = await openHarness(kind, url, compileScenarios(popinOn('on-search', 'search')), { caps: ONE_POPIN_PER_10_MINUTES });
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('ann', 'search', { q: 'cup' }, T0 + 10 * MINUTE);
    expect(harness.fired()).toHaveLength(2);
  });

  test.skipIf(skip !== undefined)('a late event (resent by the tracker with its original time) is held by the cap of a pop-in sent before it arrived', async () => {
    harness = await openHarness(kind, url, compileScenarios(popinOn('on-search', 'search'), popinOn('on-category', 'category')), { caps: ONE_POPIN_PER_10_MINUTES });
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.advanceTo(T0 + MINUTE);
    await harness.send('ann', 'category', { id: 'mugs' }, T0 - 20 * MINUTE);
    expect(harness.triggers()).toMatchObject([
      { scenario: 'on-search', status: 'fired' },
      { scenario: 'on-category', status: 'suppressed', reason: 'cap' },
    ]);
    expect(harness.popins).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('a late event\'s pop-in counts in the cap from when it was sent, not from the event\'s time', async () => {
    harness = await openHarness(kind, url, compileScenarios(popinOn('on-search', 'search'), popinOn('on-category', 'category')), { caps: ONE_POPIN_PER_10_MINUTES });
    // The clock stands at T0: the search arrives 20 minutes after it was made.
    await harness.send('ann', 'search', { q: 'mug' }, T0 - 20 * MINUTE);
    await harness.send('ann', 'category', { id: 'mugs' }, T0 + MINUTE);
    await harness.send('ann', 'category', { id: 'cups' }, T0 + 10 * MINUTE);
    expect(harness.triggers().map((firing) => `${firing.scenario} ${firing.reason}`)).toEqual(['on-search ', 'on-category cap', 'on-category ']);
  });

  test.skipIf(skip !== undefined)('each channel has its own cap', async () => {
    harness = await openHarness(kind, url, compileScenarios(popinOn('on-cart', 'cart_add'), EMAIL_ON_CART), { caps: ONE_POPIN_PER_10_MINUTES });
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0);
    expect(harness.fired().map((firing) => firing.scenario).sort()).toEqual(['cart-email', 'on-cart']);
  });

  test.skipIf(skip !== undefined)('at most two emails a day: the third is suppressed for the cap', async () => {
    harness = await openHarness(kind, url, compileScenarios(EMAIL_ON_CART), { caps: TWO_EMAILS_A_DAY });
    await signIn(harness, 'ann', T0);
    for (const hour of [0, 1, 2]) await harness.send('ann', 'cart_add', { id: `item-${hour}` }, T0 + hour * HOUR);
    expect(harness.triggers().map((firing) => firing.reason)).toEqual(['', '', 'cap']);
    expect(harness.emails).toHaveLength(2);
  });

  test.skipIf(skip !== undefined)('each visitor has their own cap', async () => {
    harness = await openHarness(kind, url, compileScenarios(popinOn('on-search', 'search')), { caps: ONE_POPIN_PER_10_MINUTES });
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('bob', 'search', { q: 'mug' }, T0 + MINUTE);
    expect(harness.fired()).toHaveLength(2);
  });
});
