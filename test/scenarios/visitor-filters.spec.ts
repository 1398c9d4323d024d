import { afterEach, describe, expect, test } from 'vitest';
import { MINUTE, T0, compileScenarios, openHarness, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const onSearch = (visitor: string) => `
id: on-search
when:
  count: { event: search, atLeast: 1, within: 1s }
visitor: ${visitor}
then:
  popin: { title: "Hello" }
`;

const NEEDS_ANALYTICS_CONSENT = onSearch('{ consent: analytics }');
const RETURNING_ONLY = onSearch('{ returning: true }');
const FIRST_VISIT_ONLY = onSearch('{ returning: false }');
const ANONYMOUS_ONLY = onSearch('{ identified: false }');
const GOLD_IN_FRANCE = onSearch('{ traits: { country: FR, plan: { in: [gold, platinum] }, orders: { gte: 3 } } }');

describe.each(await storeKinds())('visitor filters, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('a scenario that needs a consent does not fire before it is granted', async () => {
    harness = await openHarness(kind, url, compileScenarios(NEEDS_ANALYTICS_CONSENT));
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('ann', 'consent', { analytics: false }, T0 + MINUTE);
    await harness.send('ann', 'search', { q: 'cup' }, T0 + 2 * MINUTE);
    expect(harness.triggers()).toEqual([]);
    await harness.send('ann', 'consent', { analytics: true }, T0 + 3 * MINUTE);
    await harness.send('ann', 'search', { q: 'bowl' }, T0 + 4 * MINUTE);
    expect(harness.fired()).toMatchObject([{ time: T0 + 4 * MINUTE }]);
  });

  test.skipIf(skip !== undefined)('a withdrawn consent stops the scenario', async () => {
    harness = await openHarness(kind, url, compileScenarios(NEEDS_ANALYTICS_CONSENT));
    await harness.send('ann', 'consent', { analytics: true }, T0);
    await harness.send('ann', 'consent', { analytics: false }, T0 + MINUTE);
    await harness.send('ann', 'search', { q: 'mug' }, T0 + 2 * MINUTE);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('a visitor is returning once first seen more than 30 minutes before', async () => {
    harness = await openHarness(kind, url, compileScenarios(RETURNING_ONLY));
    await harness.send('ann', 'page', {}, T0);
    await harness.send('ann', 'search', { q: 'mug' }, T0 + 30 * MINUTE);
    expect(harness.triggers()).toEqual([]);
    await harness.send('bob', 'page', {}, T0);
    await harness.send('bob', 'search', { q: 'cup' }, T0 + 30 * MINUTE + 1);
    expect(harness.fired().map((firing) => firing.visitor)).toEqual(['bob']);
  });

  test.skipIf(skip !== undefined)('a first-visit scenario is for visitors first seen within 30 minutes', async () => {
    harness = await openHarness(kind, url, compileScenarios(FIRST_VISIT_ONLY));
    await harness.send('ann', 'page', {}, T0);
    await harness.send('ann', 'search', { q: 'mug' }, T0 + 10 * MINUTE);
    await harness.send('bob', 'page', {}, T0);
    await harness.send('bob', 'search', { q: 'mug' }, T0 + 40 * MINUTE);
    expect(harness.fired().map((firing) => firing.visitor)).toEqual(['ann']);
  });

  test.skipIf(skip !== undefined)('an anonymous-only scenario stops once the visitor identifies', async () => {
    harness = await openHarness(kind, url, compileScenarios(ANONYMOUS_ONLY));
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('ann', 'identify', { email: 'ann@example.test', verified: true }, T0 + MINUTE);
    await harness.send('ann', 'search', { q: 'cup' }, T0 + 2 * MINUTE);
    expect(harness.fired().map((firing) => firing.time)).toEqual([T0]);
  });

  test.skipIf(skip !== undefined)('traits set by identify filter visitors: equal, in a list, numeric comparison', async () => {
    harness = await openHarness(kind, url, compileScenarios(GOLD_IN_FRANCE));
    const traits = { ann: { country: 'FR', plan: 'gold', orders: 5 }, bob: { country: 'DE', plan: 'gold', orders: 5 }, cid: { country: 'FR', plan: 'basic', orders: 5 }, dan: { country: 'FR', plan: 'platinum', orders: 2 } };
    for (const [who, set] of Object.entries(traits)) {
      await harness.send(who, 'identify', { email: `${who}@example.test`, verified: true, traits: set }, T0);
      await harness.send(who, 'search', { q: 'mug' }, T0 + MINUTE);
    }
    expect(harness.fired().map((firing) => firing.visitor)).toEqual(['ann']);
  });
});
