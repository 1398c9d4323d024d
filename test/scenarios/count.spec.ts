import { afterEach, describe, expect, test } from 'vitest';
import { MINUTE, T0, compileScenarios, openHarness, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const VIEWED_3_TIMES = `
id: viewed-3-times
cooldown: 1h
when:
  count: { event: product, per: id, atLeast: 3, within: 30m }
then:
  popin: { template: modal, title: "Still thinking about {{ props.name }}?" }
`;

const FOUR_PRODUCTS_OF_A_CATEGORY = `
id: browsing-a-category
when:
  count: { event: product, per: category, distinct: id, atLeast: 4, within: 1h }
then:
  popin: { title: "Need help choosing?" }
`;

describe.each(await storeKinds())('count in a sliding window, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('fires on the third view of one product within the window', async () => {
    harness = await openHarness(kind, url, compileScenarios(VIEWED_3_TIMES));
    for (const minute of [0, 10, 20]) await harness.send('ann', 'product', { id: 'mug', name: 'Mug' }, T0 + minute * MINUTE);
    expect(harness.fired()).toMatchObject([{ scenario: 'viewed-3-times', visitor: 'ann', time: T0 + 20 * MINUTE }]);
    expect(harness.popins[0]?.action.title).toContain('{{ props.name }}');
  });

  test.skipIf(skip !== undefined)('does not fire when the views are spread over more than the window', async () => {
    harness = await openHarness(kind, url, compileScenarios(VIEWED_3_TIMES));
    for (const minute of [0, 20, 31]) await harness.send('ann', 'product', { id: 'mug' }, T0 + minute * MINUTE);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a view exactly one window after the first no longer counts it (the window is half-open)', async () => {
    harness = await openHarness(kind, url, compileScenarios(VIEWED_3_TIMES));
    for (const minute of [0, 15, 30]) await harness.send('ann', 'product', { id: 'mug' }, T0 + minute * MINUTE);
    expect(harness.triggers()).toEqual([]);
    await harness.send('ann', 'product', { id: 'mug' }, T0 + 30 * MINUTE + 1);
    expect(harness.fired()).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('counts each product on its own', async () => {
    harness = await openHarness(kind, url, compileScenarios(VIEWED_3_TIMES));
    for (const [minute, id] of [[0, 'mug'], [1, 'cup'], [2, 'mug'], [3, 'cup']] as const) {
      await harness.send('ann', 'product', { id }, T0 + minute * MINUTE);
    }
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a resent event (same id) counts once', async () => {
    harness = await openHarness(kind, url, compileScenarios(VIEWED_3_TIMES));
    await harness.send('ann', 'product', { id: 'mug' }, T0, 'view-1');
    await harness.send('ann', 'product', { id: 'mug' }, T0 + MINUTE, 'view-1');
    await harness.send('ann', 'product', { id: 'mug' }, T0 + 2 * MINUTE, 'view-2');
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('the quiet period keeps a fourth and fifth view from firing again', async () => {
    harness = await openHarness(kind, url, compileScenarios(VIEWED_3_TIMES.replace('atLeast: 3', 'atLeast: 2')));
    for (const minute of [0, 1, 2, 3, 4]) await harness.send('ann', 'product', { id: 'mug' }, T0 + minute * MINUTE);
    expect(harness.fired()).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('counts distinct products of one category', async () => {
    harness = await openHarness(kind, url, compileScenarios(FOUR_PRODUCTS_OF_A_CATEGORY));
    const views = ['a', 'b', 'a', 'c', 'b', 'd'];
    for (const [i, id] of views.entries()) await harness.send('ann', 'product', { id, category: 'mugs' }, T0 + i * MINUTE);
    expect(harness.fired()).toMatchObject([{ scenario: 'browsing-a-category', time: T0 + 5 * MINUTE }]);
  });
});
