import { afterEach, describe, expect, test } from 'vitest';
import { HOUR, MINUTE, T0, compileScenarios, openHarness, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const EVERY_SEARCH = (id: string, action = 'popin: { title: "Need help?" }') => `
id: ${id}
cooldown: 1h
when:
  count: { event: search, atLeast: 1, within: 1s }
then:
  ${action}
`;

describe.each(await storeKinds())('cooldown: a quiet period per visitor and scenario, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('a firing within the quiet period is recorded as suppressed for cooldown', async () => {
    harness = await openHarness(kind, url, compileScenarios(EVERY_SEARCH('help')));
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('ann', 'search', { q: 'cup' }, T0 + 59 * MINUTE);
    expect(harness.triggers()).toMatchObject([
      { status: 'fired', time: T0 },
      { status: 'suppressed', reason: 'cooldown', time: T0 + 59 * MINUTE },
    ]);
    expect(harness.popins).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('the scenario fires again once the quiet period is over', async () => {
    harness = await openHarness(kind, url, compileScenarios(EVERY_SEARCH('help')));
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('ann', 'search', { q: 'cup' }, T0 + HOUR);
    expect(harness.fired()).toHaveLength(2);
  });

  test.skipIf(skip !== undefined)('a suppressed firing does not extend the quiet period', async () => {
    harness = await openHarness(kind, url, compileScenarios(EVERY_SEARCH('help')));
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('ann', 'search', { q: 'cup' }, T0 + 50 * MINUTE);
    await harness.send('ann', 'search', { q: 'bowl' }, T0 + 61 * MINUTE);
    expect(harness.fired().map((firing) => firing.time)).toEqual([T0, T0 + 61 * MINUTE]);
  });

  test.skipIf(skip !== undefined)('a late event (resent by the tracker with its original time) is held by the quiet period of a firing sent before it arrived', async () => {
    harness = await openHarness(kind, url, compileScenarios(EVERY_SEARCH('help')));
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.advanceTo(T0 + 5 * MINUTE);
    await harness.send('ann', 'search', { q: 'cup' }, T0 - 2 * HOUR);
    expect(harness.triggers()).toMatchObject([
      { status: 'fired', time: T0 },
      { status: 'suppressed', reason: 'cooldown', time: T0 + 5 * MINUTE },
    ]);
    expect(harness.popins).toHaveLength(1);
  });

  test.skipIf(skip !== undefined)('the quiet period of a late event\'s firing counts from when it was sent, not from the event\'s time', async () => {
    harness = await openHarness(kind, url, compileScenarios(EVERY_SEARCH('help')));
    // The clock stands at T0: the search arrives 50 minutes after it was made.
    await harness.send('ann', 'search', { q: 'mug' }, T0 - 50 * MINUTE);
    await harness.send('ann', 'search', { q: 'cup' }, T0 + 30 * MINUTE);
    await harness.send('ann', 'search', { q: 'bowl' }, T0 + HOUR);
    expect(harness.triggers().map((firing) => firing.reason)).toEqual(['', 'cooldown', '']);
  });

  test.skipIf(skip !== undefined)('each visitor has their own quiet period', async () => {
    harness = await openHarness(kind, url, compileScenarios(EVERY_SEARCH('help')));
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('bob', 'search', { q: 'mug' }, T0 + MINUTE);
    expect(harness.fired().map((firing) => firing.visitor)).toEqual(['ann', 'bob']);
  });

  test.skipIf(skip !== undefined)('each scenario has its own quiet period', async () => {
    harness = await openHarness(kind, url, compileScenarios(EVERY_SEARCH('help'), EVERY_SEARCH('other', 'webhook: { url: "https://crm.example/hook" }')));
    await harness.send('ann', 'search', { q: 'mug' }, T0);
    await harness.send('ann', 'search', { q: 'cup' }, T0 + MINUTE);
    expect(harness.fired().map((firing) => firing.scenario).sort()).toEqual(['help', 'other']);
  });
});
