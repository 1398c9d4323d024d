import { afterEach, describe, expect, test } from 'vitest';
import { HOUR, MINUTE, T0, compileScenarios, openHarness, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const SEARCH_THEN_CART = `
id: search-then-cart
when:
  sequence:
    first: { event: search }
    then: { event: cart_add }
    within: 30m
then:
  popin: { title: "Found it!" }
`;

const VIEW_THEN_CART_SAME_PRODUCT = `
id: view-then-cart
when:
  sequence:
    first: { event: product, by: id }
    then: { event: cart_add, by: id }
    within: 1h
then:
  popin: { title: "Good choice" }
`;

const PAGE_THEN_PAGE = `
id: two-pages
when:
  sequence:
    first: { event: page }
    then: { event: page }
    within: 10m
then:
  popin: { title: "Second page" }
`;

describe.each(await storeKinds())('sequence: A then B within T, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('fires on the B that follows an A within the window', async () => {
    harness = await openHarness(kind, url, compileScenarios(SEARCH_THEN_CART));
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0 + 29 * MINUTE);
    expect(harness.fired()).toMatchObject([{ scenario: 'search-then-cart', time: T0 + 29 * MINUTE }]);
  });

  test.skipIf(skip !== undefined)('a B exactly one window after the A is too late (the window is half-open)', async () => {
    harness = await openHarness(kind, url, compileScenarios(SEARCH_THEN_CART));
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0 + 30 * MINUTE);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a B before the A does not fire', async () => {
    harness = await openHarness(kind, url, compileScenarios(SEARCH_THEN_CART));
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0);
    await harness.send('ann', 'search', { q: 'mug' }, T0 + MINUTE);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('every B within the window fires again; only the quiet period holds them back', async () => {
    harness = await openHarness(kind, url, compileScenarios(SEARCH_THEN_CART));
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0 + MINUTE);
    await harness.send('ann', 'cart_add', { id: 'cup' }, T0 + 2 * MINUTE);
    expect(harness.fired()).toHaveLength(2);
    harness.close();
    harness = await openHarness(kind, url, compileScenarios(SEARCH_THEN_CART.replace('id: search-then-cart', 'id: search-then-cart\ncooldown: 1h')));
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0 + MINUTE);
    await harness.send('ann', 'cart_add', { id: 'cup' }, T0 + 2 * MINUTE);
    expect(harness.triggers()).toMatchObject([{ status: 'fired' }, { status: 'suppressed', reason: 'cooldown' }]);
  });

  test.skipIf(skip !== undefined)('with grouping, B must share the A\'s group', async () => {
    harness = await openHarness(kind, url, compileScenarios(VIEW_THEN_CART_SAME_PRODUCT));
    await harness.send('ann', 'product', { id: 'mug' }, T0);
    await harness.send('ann', 'cart_add', { id: 'cup' }, T0 + MINUTE);
    expect(harness.triggers()).toEqual([]);
    await harness.send('ann', 'cart_add', { id: 'mug' }, T0 + 2 * MINUTE);
    expect(harness.fired()).toMatchObject([{ time: T0 + 2 * MINUTE }]);
  });

  test.skipIf(skip !== undefined)('an event that is both A and B does not follow itself', async () => {
    harness = await openHarness(kind, url, compileScenarios(PAGE_THEN_PAGE));
    await harness.send('ann', 'page', {}, T0);
    expect(harness.triggers()).toEqual([]);
    await harness.send('ann', 'page', {}, T0 + MINUTE);
    expect(harness.fired()).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('each visitor has their own sequence', async () => {
    harness = await openHarness(kind, url, compileScenarios(SEARCH_THEN_CART));
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('bob', 'cart_add', { id: 'mug' }, T0 + MINUTE);
    await harness.advanceTo(T0 + HOUR);
    expect(harness.triggers()).toEqual([]);
  });
});
