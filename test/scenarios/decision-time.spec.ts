import { afterEach, describe, expect, test } from 'vitest';
import { DAY, HOUR, MINUTE, T0, compileScenarios, openHarness, signIn, storeKinds, type ScenarioHarness } from './scenario-harness.js';

/** A pop-in at every cart add, quiet for an hour after it shows. */
const CART_POPIN = `
id: cart-popin
cooldown: 1h
when:
  count: { event: cart_add, atLeast: 1, within: 1s }
then:
  popin: { title: "Free shipping today" }
`;

/** An email an hour after a cart add with no checkout. */
const CART_REMINDER = `
id: cart-reminder
when:
  absence: { after: { event: cart_add }, missing: { event: checkout }, within: 1h }
then:
  email: { template: cart-abandoned }
`;

/** An email, and a webhook, at every signup. */
const SIGNUP_MESSAGES = `
id: signup-messages
when:
  count: { event: track, where: { name: signup }, atLeast: 1, within: 1s }
then:
  email: { template: welcome }
`;

const SIGNUP_HOOK = `
id: signup-hook
when:
  count: { event: track, where: { name: signup }, atLeast: 1, within: 1s }
then:
  webhook: { url: "https://crm.example/hooks/signup" }
`;

describe.each(await storeKinds())('a trigger row carries when the engine decided, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('a late event\'s firing is recorded at the time the engine fired it, not at the event\'s time', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_POPIN));
    await harness.advanceTo(T0 + 3 * HOUR);
    // Made at T0, resent by the tracker three hours later, once back online.
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0, 'cart-1');
    expect(harness.fired()).toMatchObject([{ eventId: 'cart-1', time: T0 + 3 * HOUR }]);
  });

  test.skipIf(skip !== undefined)('a late event\'s suppressed firing is recorded at the time the engine held it back', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_POPIN));
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0, 'cart-1');
    await harness.advanceTo(T0 + 5 * MINUTE);
    await harness.send('ann', 'cart_add', { id: 'cup', price: 9 }, T0 - 2 * HOUR, 'cart-0');
    expect(harness.triggers()).toMatchObject([
      { eventId: 'cart-1', status: 'fired', time: T0 },
      { eventId: 'cart-0', status: 'suppressed', reason: 'cooldown', time: T0 + 5 * MINUTE },
    ]);
  });

  test.skipIf(skip !== undefined)('a timer the engine fired late (it was down when the timer came due) is recorded when it fired, not at its due time', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_REMINDER));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0);
    // Due at T0 + 1h; the engine is back six hours later and sends it then.
    harness.clock.set(T0 + 7 * HOUR);
    await harness.advanceTo(T0 + 7 * HOUR);
    expect(harness.fired()).toMatchObject([{ scenario: 'cart-reminder', time: T0 + 7 * HOUR }]);
  });

  test.skipIf(skip !== undefined)('a replay, whose clock stands at each event\'s and timer\'s time, records them at those times', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_POPIN, CART_REMINDER));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0 + DAY, 'cart-1');
    await harness.advanceTo(T0 + 2 * DAY);
    expect(harness.fired().map((firing) => [firing.scenario, firing.time])).toEqual([
      ['cart-popin', T0 + DAY],
      ['cart-reminder', T0 + DAY + HOUR],
    ]);
  });
});

describe.each(await storeKinds())('a message\'s `trigger.time` is when the engine decided, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('a late event\'s email reads the time the engine fired it as `trigger.time`, and the event\'s own as `event.time`', async () => {
    harness = await openHarness(kind, url, compileScenarios(SIGNUP_MESSAGES));
    await signIn(harness, 'ann', T0);
    await harness.advanceTo(T0 + 3 * HOUR);
    await harness.send('ann', 'track', { name: 'signup' }, T0, 'signup-1');
    expect(harness.emails.map((email) => [email.context.trigger.time, email.context.event.time])).toEqual([[T0 + 3 * HOUR, T0]]);
    expect(harness.fired().map((firing) => firing.time)).toEqual([T0 + 3 * HOUR]);
  });

  test.skipIf(skip !== undefined)('a late event\'s webhook carries the time the engine fired it as `trigger.time`', async () => {
    harness = await openHarness(kind, url, compileScenarios(SIGNUP_HOOK));
    await harness.advanceTo(T0 + 3 * HOUR);
    await harness.send('ann', 'track', { name: 'signup' }, T0, 'signup-1');
    expect(harness.webhooks.map((order) => order.context.trigger.time)).toEqual([T0 + 3 * HOUR]);
  });

  test.skipIf(skip !== undefined)('a timer fired late gives its email the time it fired as `trigger.time`, not its due time', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_REMINDER));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0);
    harness.clock.set(T0 + 7 * HOUR);
    await harness.advanceTo(T0 + 7 * HOUR);
    expect(harness.emails.map((email) => email.context.trigger.time)).toEqual([T0 + 7 * HOUR]);
  });
});
