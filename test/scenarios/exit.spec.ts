import { afterEach, describe, expect, test } from 'vitest';
import { DAY, HOUR, MINUTE, T0, compileScenarios, openHarness, signIn, storeKinds, type ScenarioHarness } from './scenario-harness.js';

/** The reminder waits for a checkout; a purchase made elsewhere (in store, by phone) ends it too. */
const CART_REMINDER = `
id: cart-reminder
when:
  absence:
    after: { event: cart_add }
    missing: { event: checkout }
    within: 1d
exit: { event: purchase }
then:
  email: { template: cart-reminder }
`;

const PER_PRODUCT_REMINDER = `
id: per-product-reminder
when:
  absence:
    after: { event: cart_add, by: id }
    missing: { event: cart_remove, by: id }
    within: 1d
exit: { event: purchase }
then:
  email: { template: cart-reminder }
`;

const NURTURE = `
id: nurture
when:
  count: { event: track, where: { name: signup }, atLeast: 1, within: 1d }
exit: { event: purchase }
journey:
  - email: { template: one }
  - wait: 2d
    email: { template: two }
  - wait: 2d
    email: { template: three }
`;

describe.each(await storeKinds())('exit conditions, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('a purchase cancels a pending cart reminder', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_REMINDER));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 12 }, T0 + HOUR);
    await harness.advanceTo(T0 + 3 * DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a cart add after the exit arms a new reminder', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_REMINDER));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 12 }, T0 + HOUR);
    await harness.send('ann', 'cart_add', { id: 'cup' }, T0 + 2 * HOUR);
    await harness.advanceTo(T0 + 3 * DAY);
    expect(harness.fired()).toMatchObject([{ time: T0 + 2 * HOUR + DAY }]);
  });

  test.skipIf(skip !== undefined)('an exit event cancels the journey\'s remaining steps', async () => {
    harness = await openHarness(kind, url, compileScenarios(NURTURE));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.advanceTo(T0 + 2 * DAY);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 12 }, T0 + 3 * DAY);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['one', 'two']);
  });

  test.skipIf(skip !== undefined)('a late exit event, made before the journey started, does not end it', async () => {
    harness = await openHarness(kind, url, compileScenarios(NURTURE));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0 + HOUR);
    await harness.advanceTo(T0 + 2 * HOUR);
    // Made half an hour before the signup, resent by the tracker once back online.
    await harness.send('ann', 'purchase', { order: 'A-1', value: 12 }, T0 + 30 * MINUTE);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['one', 'two', 'three']);
  });

  test.skipIf(skip !== undefined)('a late exit event, made before the cart add, does not cancel its reminder', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_REMINDER, PER_PRODUCT_REMINDER));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0 + HOUR);
    await harness.advanceTo(T0 + 2 * HOUR);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 12 }, T0 + 30 * MINUTE);
    await harness.advanceTo(T0 + 3 * DAY);
    expect(harness.fired().map((firing) => `${firing.scenario} ${firing.time - T0}`).sort()).toEqual([`cart-reminder ${HOUR + DAY}`, `per-product-reminder ${HOUR + DAY}`]);
  });

  test.skipIf(skip !== undefined)('a late goal event, made before the journey started, does not stop it', async () => {
    harness = await openHarness(kind, url, compileScenarios(NURTURE.replace('exit: { event: purchase }', 'goal: { event: purchase, within: 7d }')));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0 + HOUR);
    await harness.advanceTo(T0 + DAY);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 12 }, T0 + 30 * MINUTE);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['one', 'two', 'three']);
  });

  test.skipIf(skip !== undefined)('an exit event during the wait after a late event\'s first step was handed over ends the journey', async () => {
    harness = await openHarness(kind, url, compileScenarios(NURTURE));
    await signIn(harness, 'ann', T0);
    await harness.advanceTo(T0 + DAY);
    // Made at T0, received a day later: step one goes at T0 + 1d, step two waits until T0 + 3d.
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 12 }, T0 + 2 * DAY);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['one']);
  });

  test.skipIf(skip !== undefined)('a late exit event, made before a late event\'s first step was handed over, does not end the journey', async () => {
    harness = await openHarness(kind, url, compileScenarios(NURTURE));
    await signIn(harness, 'ann', T0);
    await harness.advanceTo(T0 + DAY);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.advanceTo(T0 + DAY + HOUR);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 12 }, T0 + 12 * HOUR);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['one', 'two', 'three']);
  });

  test.skipIf(skip !== undefined)('a late goal event, made before a late event\'s first step was handed over, does not stop the journey', async () => {
    harness = await openHarness(kind, url, compileScenarios(NURTURE.replace('exit: { event: purchase }', 'goal: { event: purchase, within: 7d }')));
    await signIn(harness, 'ann', T0);
    await harness.advanceTo(T0 + DAY);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.advanceTo(T0 + DAY + HOUR);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 12 }, T0 + 12 * HOUR);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['one', 'two', 'three']);
  });

  test.skipIf(skip !== undefined)('another visitor\'s purchase cancels nothing', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_REMINDER));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0);
    await harness.send('bob', 'purchase', { order: 'B-1', value: 12 }, T0 + MINUTE);
    await harness.advanceTo(T0 + 3 * DAY);
    expect(harness.fired()).toHaveLength(1);
  });

  // Known bug: an exit cancels only the ungrouped absence timer (engine/scenarios/evaluate/scenario-evaluator.ts, planHook 'exit').
  test.skipIf(skip !== undefined)('a purchase cancels the pending reminders of a grouped absence', async () => {
    harness = await openHarness(kind, url, compileScenarios(PER_PRODUCT_REMINDER));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 12 }, T0 + HOUR);
    await harness.advanceTo(T0 + 3 * DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a journey stops once its conversion goal is met', async () => {
    harness = await openHarness(kind, url, compileScenarios(NURTURE.replace('exit: { event: purchase }', 'goal: { event: purchase, within: 7d }')));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 12 }, T0 + DAY);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['one']);
  });
});
