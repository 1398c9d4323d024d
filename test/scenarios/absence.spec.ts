import { afterEach, describe, expect, test } from 'vitest';
import { DAY, HOUR, MINUTE, T0, compileScenarios, openHarness, signIn, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const CART_ABANDONED = `
id: cart-abandoned
cooldown: 1d
when:
  absence:
    after: { event: cart_add }
    missing: { event: [checkout, purchase] }
    within: 1h
visitor: { identified: true }
then:
  email: { template: cart-abandoned }
`;

const CATEGORY_ABANDONED = `
id: category-abandoned
when:
  absence:
    after: { event: category, by: id }
    missing: { event: [product, cart_add], by: category }
    within: 20m
then:
  popin: { title: "Anything caught your eye?" }
`;

const INACTIVE_60_DAYS = `
id: inactive-60
when:
  inactivity: { since: { event: purchase }, for: 60d }
then:
  email: { template: we-miss-you }
`;

describe.each(await storeKinds())('absence and inactivity, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('a cart left for an hour sends one reminder, at the hour', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_ABANDONED));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug', name: 'Mug', price: 12, qty: 2 }, T0 + MINUTE);
    await harness.advanceTo(T0 + MINUTE + HOUR - 1);
    expect(harness.triggers()).toEqual([]);
    await harness.advanceTo(T0 + MINUTE + HOUR);
    expect(harness.fired()).toMatchObject([{ scenario: 'cart-abandoned', time: T0 + MINUTE + HOUR }]);
    expect(harness.emails[0]?.context.cart).toEqual([{ id: 'mug', name: 'Mug', price: 12, qty: 2 }]);
    expect(harness.emails[0]?.to).toBe('ann@example.test');
  });

  test.skipIf(skip !== undefined)('a replay fires the timers of different visitors in the order they came due', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_ABANDONED, CATEGORY_ABANDONED));
    await signIn(harness, 'ann', T0);
    await signIn(harness, 'cy', T0);
    // cy's category timer comes due first; after it, ann's reminder is due a millisecond before cy's.
    await harness.send('cy', 'category', { id: 'mugs' }, T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0 + 10 * MINUTE);
    await harness.send('cy', 'cart_add', { id: 'cup' }, T0 + 10 * MINUTE + 1);
    await harness.advanceTo(T0 + 30 * MINUTE);
    await harness.advanceTo(T0 + 3 * HOUR);
    expect(harness.emails.map((email) => email.visitor.visitor)).toEqual(['ann', 'cy']);
  });

  test.skipIf(skip !== undefined)('a checkout within the hour cancels the reminder', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_ABANDONED));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0 + MINUTE);
    await harness.send('ann', 'checkout', { value: 12 }, T0 + 59 * MINUTE);
    await harness.advanceTo(T0 + 3 * HOUR);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a late checkout, made before the cart add, does not cancel its reminder', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_ABANDONED));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug', name: 'Mug', price: 12 }, T0 + 20 * MINUTE);
    await harness.advanceTo(T0 + 30 * MINUTE);
    await harness.send('ann', 'checkout', { value: 30 }, T0 + 10 * MINUTE);
    await harness.advanceTo(T0 + 2 * HOUR);
    expect(harness.fired().map((firing) => firing.time)).toEqual([T0 + 80 * MINUTE]);
  });

  test.skipIf(skip !== undefined)('a second cart add restarts the hour', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_ABANDONED));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0);
    await harness.send('ann', 'cart_add', { id: 'cup' }, T0 + 30 * MINUTE);
    await harness.advanceTo(T0 + HOUR);
    expect(harness.triggers()).toEqual([]);
    await harness.advanceTo(T0 + 90 * MINUTE);
    expect(harness.fired()).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('an anonymous visitor gets no cart reminder', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_ABANDONED));
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0);
    await harness.advanceTo(T0 + 2 * HOUR);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('an identified visitor without email consent is recorded as suppressed for consent', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_ABANDONED));
    await harness.send('ann', 'identify', { email: 'ann@example.test', verified: true }, T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0);
    await harness.advanceTo(T0 + 2 * HOUR);
    expect(harness.triggers()).toMatchObject([{ status: 'suppressed', reason: 'consent' }]);
    expect(harness.emails).toEqual([]);
  });

  test.skipIf(skip !== undefined)('an email whose identify was not verified is not trusted', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_ABANDONED));
    await harness.send('ann', 'identify', { email: 'stranger@example.test', verified: false }, T0);
    await harness.send('ann', 'consent', { email: true }, T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0);
    await harness.advanceTo(T0 + 2 * HOUR);
    expect(harness.triggers()).toMatchObject([{ status: 'suppressed', reason: 'consent' }]);
  });

  test.skipIf(skip !== undefined)('a category viewed and left fires; a product of it viewed in time does not', async () => {
    harness = await openHarness(kind, url, compileScenarios(CATEGORY_ABANDONED));
    await harness.send('ann', 'category', { id: 'mugs' }, T0);
    await harness.send('bob', 'category', { id: 'mugs' }, T0);
    await harness.send('bob', 'product', { id: 'blue-mug', category: 'mugs' }, T0 + 5 * MINUTE);
    await harness.advanceTo(T0 + HOUR);
    expect(harness.fired().map((firing) => firing.visitor)).toEqual(['ann']);
  });

  test.skipIf(skip !== undefined)('a product of another category does not save the category view', async () => {
    harness = await openHarness(kind, url, compileScenarios(CATEGORY_ABANDONED));
    await harness.send('ann', 'category', { id: 'mugs' }, T0);
    await harness.send('ann', 'product', { id: 'linen', category: 'textiles' }, T0 + MINUTE);
    await harness.advanceTo(T0 + HOUR);
    expect(harness.fired()).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('inactivity fires 60 days after the last purchase, and a new purchase moves it', async () => {
    harness = await openHarness(kind, url, compileScenarios(INACTIVE_60_DAYS));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'purchase', { order: 'o1', value: 30 }, T0);
    await harness.send('ann', 'purchase', { order: 'o2', value: 30 }, T0 + 10 * DAY);
    await harness.advanceTo(T0 + 60 * DAY);
    expect(harness.triggers()).toEqual([]);
    await harness.advanceTo(T0 + 70 * DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'inactive-60', time: T0 + 70 * DAY }]);
  });

  test.skipIf(skip !== undefined)('email consent given by one address does not carry over to another address signed in on the same browser', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_ABANDONED));
    await signIn(harness, 'ann', T0);
    // Bob signs in on the shared computer (no tw('reset') at logout) and never opts in.
    await harness.send('ann', 'identify', { email: 'bob@example.test', verified: true }, T0 + MINUTE);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0 + 2 * MINUTE);
    await harness.advanceTo(T0 + 2 * HOUR);
    expect(harness.emails.map((email) => email.to)).toEqual([]);
    expect(harness.triggers()).toMatchObject([{ status: 'suppressed', reason: 'consent' }]);
  });

  test.skipIf(skip !== undefined)('email consent ticked before signing in belongs to the address signed in next', async () => {
    harness = await openHarness(kind, url, compileScenarios(CART_ABANDONED));
    await harness.send('ann', 'consent', { email: true }, T0);
    await harness.send('ann', 'identify', { email: 'ann@example.test', verified: true }, T0 + MINUTE);
    await harness.send('ann', 'identify', { email: 'bob@example.test', verified: true }, T0 + 2 * MINUTE);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0 + 3 * MINUTE);
    await harness.advanceTo(T0 + 2 * HOUR);
    expect(harness.triggers()).toMatchObject([{ status: 'suppressed', reason: 'consent' }]);
    await harness.send('ann', 'identify', { email: 'ann@example.test', verified: true }, T0 + 3 * HOUR);
    await harness.send('ann', 'cart_add', { id: 'cup' }, T0 + 3 * HOUR);
    await harness.advanceTo(T0 + 5 * HOUR);
    expect(harness.emails.map((email) => email.to)).toEqual(['ann@example.test']);
  });
});
