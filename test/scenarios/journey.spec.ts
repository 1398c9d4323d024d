import { afterEach, describe, expect, test } from 'vitest';
import { DAY, HOUR, T0, compileScenarios, openHarness, signIn, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const PROMO_AT_D5 = `
id: promo-d5
when:
  absence:
    after: { event: cart_add }
    missing: { event: [checkout, purchase] }
    within: 1h
journey:
  - email: { template: cart-abandoned }
  - wait: 5d
    unless: { event: purchase }
    email: { template: promo-code, variables: { code: WELCOME15 } }
`;

const THREE_STEPS = `
id: three-steps
when:
  count: { event: track, where: { name: signup }, atLeast: 1, within: 1d }
journey:
  - email: { template: step-one }
  - wait: 1d
    email: { template: step-two }
  - wait: 2d
    unless: { event: purchase, where: { value: { gte: 50 } } }
    webhook: { url: "https://crm.example/hook" }
`;

/** welcome-d1, with welcome-series' second step: a purchase stops the best sellers email, not the welcome. */
const WELCOME_D1_THEN_BEST_SELLERS = `
id: welcome-d1-series
when:
  inactivity: { since: { event: track, where: { name: signup } }, for: 1d }
journey:
  - email: { template: welcome }
  - wait: 3d
    unless: { event: purchase }
    email: { template: welcome-best-sellers }
`;

/** welcome-series: a welcome at the signup, the best sellers three days later unless a purchase came between. */
const LATE_SIGNUP_SERIES = `
id: welcome-series
when:
  count: { event: track, where: { name: signup }, atLeast: 1, within: 1d }
journey:
  - email: { template: welcome }
  - wait: 3d
    unless: { event: purchase }
    email: { template: welcome-best-sellers }
`;

describe.each(await storeKinds())('journeys: steps with waits and branches, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('the first step goes when the scenario fires, the next one after its wait', async () => {
    harness = await openHarness(kind, url, compileScenarios(PROMO_AT_D5));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug', price: 12 }, T0);
    await harness.advanceTo(T0 + HOUR);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['cart-abandoned']);
    await harness.advanceTo(T0 + HOUR + 5 * DAY - 1);
    expect(harness.emails).toHaveLength(1);
    await harness.advanceTo(T0 + HOUR + 5 * DAY);
    expect(harness.emails.map((email) => [email.action.template, email.action.variables.code])).toEqual([
      ['cart-abandoned', undefined],
      ['promo-code', 'WELCOME15'],
    ]);
  });

  test.skipIf(skip !== undefined)('each step is recorded as a trigger of its own, numbered after the first', async () => {
    harness = await openHarness(kind, url, compileScenarios(PROMO_AT_D5));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0, 'add-1');
    await harness.advanceTo(T0 + 6 * DAY);
    expect(harness.fired().map((firing) => [firing.eventId, firing.time])).toEqual([
      ['add-1', T0 + HOUR],
      ['add-1#1', T0 + HOUR + 5 * DAY],
    ]);
  });

  test.skipIf(skip !== undefined)('a purchase during the wait stops the journey', async () => {
    harness = await openHarness(kind, url, compileScenarios(PROMO_AT_D5));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0);
    await harness.advanceTo(T0 + HOUR);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 12 }, T0 + 3 * DAY);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['cart-abandoned']);
  });

  test.skipIf(skip !== undefined)('waits add up from step to step, across channels', async () => {
    harness = await openHarness(kind, url, compileScenarios(THREE_STEPS), { requireVerifiedEmail: false });
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.fired().map((firing) => firing.time)).toEqual([T0, T0 + DAY, T0 + 3 * DAY]);
    expect(harness.webhooks).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('an event that does not meet the step\'s condition does not stop the journey', async () => {
    harness = await openHarness(kind, url, compileScenarios(THREE_STEPS));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 20 }, T0 + 2 * DAY);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.webhooks).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('a big enough purchase during a later wait stops the remaining steps', async () => {
    harness = await openHarness(kind, url, compileScenarios(THREE_STEPS));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 80 }, T0 + 2 * DAY);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.fired().map((firing) => firing.time)).toEqual([T0, T0 + DAY]);
    expect(harness.webhooks).toEqual([]);
  });

  test.skipIf(skip !== undefined)('an event matching a later step\'s condition during an earlier wait does not stop the journey', async () => {
    // Step two has no `unless`; step three's purchase condition only covers its own wait (day 1 to day 3).
    harness = await openHarness(kind, url, compileScenarios(THREE_STEPS), { requireVerifiedEmail: false });
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 80 }, T0 + 12 * HOUR);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.fired().map((firing) => firing.time)).toEqual([T0, T0 + DAY, T0 + 3 * DAY]);
  });

  test.skipIf(skip !== undefined)('a late `unless` event, made before its step\'s wait started, does not stop the step', async () => {
    harness = await openHarness(kind, url, compileScenarios(THREE_STEPS));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.advanceTo(T0 + DAY + HOUR);
    // Made during the first wait, resent once step two had gone: step three's wait had not started.
    await harness.send('ann', 'purchase', { order: 'A-1', value: 80 }, T0 + 12 * HOUR);
    await harness.advanceTo(T0 + 5 * DAY);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['step-one', 'step-two']);
    expect(harness.webhooks).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('a step\'s `unless` event before the journey started does not cancel the scenario\'s pending reminder', async () => {
    harness = await openHarness(kind, url, compileScenarios(WELCOME_D1_THEN_BEST_SELLERS));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0 + 2 * HOUR);
    await harness.advanceTo(T0 + 2 * DAY);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['welcome']);
  });

  test.skipIf(skip !== undefined)('a new firing restarts the journey: the steps the earlier one left waiting do not go', async () => {
    harness = await openHarness(kind, url, compileScenarios(THREE_STEPS), { requireVerifiedEmail: false });
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0, 'signup-1');
    // The first journey's last step waits for T0 + 3d; the second journey's steps go at T0 + 3.5d and 5.5d.
    await harness.advanceTo(T0 + 2.5 * DAY);
    await harness.send('ann', 'track', { name: 'signup' }, T0 + 2.5 * DAY, 'signup-2');
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.fired().map((firing) => firing.eventId)).toEqual(['signup-1', 'signup-1#1', 'signup-2', 'signup-2#1', 'signup-2#2']);
  });

  test.skipIf(skip !== undefined)('a late event\'s journey waits from when its first step was handed over, not from the event\'s time', async () => {
    harness = await openHarness(kind, url, compileScenarios(LATE_SIGNUP_SERIES));
    await signIn(harness, 'ann', T0);
    await harness.advanceTo(T0 + 3 * DAY);
    // Made at T0, received three days later: the welcome goes now, the best sellers three days after it.
    await harness.send('ann', 'track', { name: 'signup' }, T0, 'signup-1');
    await harness.advanceTo(T0 + 3 * DAY + HOUR);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['welcome']);
    await harness.advanceTo(T0 + 6 * DAY);
    expect(harness.fired().map((firing) => [firing.eventId, firing.time])).toEqual([
      ['signup-1', T0 + 3 * DAY],
      ['signup-1#1', T0 + 6 * DAY],
    ]);
  });

  test.skipIf(skip !== undefined)('a late event\'s journey is stopped by an `unless` event during the wait after its first step was handed over', async () => {
    harness = await openHarness(kind, url, compileScenarios(LATE_SIGNUP_SERIES));
    await signIn(harness, 'ann', T0);
    await harness.advanceTo(T0 + 3 * DAY);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0 + 4 * DAY);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['welcome']);
  });

  test.skipIf(skip !== undefined)('an `unless` event made before a late event\'s first step was handed over does not stop the next step', async () => {
    harness = await openHarness(kind, url, compileScenarios(LATE_SIGNUP_SERIES));
    await signIn(harness, 'ann', T0);
    await harness.advanceTo(T0 + DAY);
    // The signup and the purchase reach the engine a day late, in two frames: the welcome goes at
    // T0 + 1d, so the purchase (T0 + 12h) came before the best sellers' wait started.
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.advanceTo(T0 + DAY + HOUR);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0 + 12 * HOUR);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.fired().map((firing) => firing.time)).toEqual([T0 + DAY, T0 + 4 * DAY]);
  });

  test.skipIf(skip !== undefined)('a step that went late (the engine was down when it came due) starts the next step\'s wait when it went', async () => {
    harness = await openHarness(kind, url, compileScenarios(THREE_STEPS));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    // Step two came due at T0 + 1d; the engine is back six hours later and sends it then.
    harness.clock.set(T0 + DAY + 6 * HOUR);
    await harness.advanceTo(T0 + DAY + 6 * HOUR);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['step-one', 'step-two']);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.fired().map((firing) => firing.time)).toEqual([T0, T0 + DAY + 6 * HOUR, T0 + 3 * DAY + 6 * HOUR]);
  });
});
