import { afterEach, describe, expect, test } from 'vitest';
import { T0, compileScenarios, openHarness, signIn, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const onProductView = (id: string, priority: number, action: string) => `
id: ${id}
priority: ${priority}
when:
  count: { event: product, atLeast: 1, within: 1s }
then:
  ${action}
`;

const HIGH_POPIN = onProductView('high-popin', 90, 'popin: { title: "High" }');
const LOW_POPIN = onProductView('low-popin', 10, 'popin: { title: "Low" }');
const LOW_EMAIL = onProductView('low-email', 10, 'email: { template: low }');

describe.each(await storeKinds())('priority: one action per channel per event, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('when two pop-ins fire on one event, only the higher priority is shown; the other is recorded as suppressed', async () => {
    harness = await openHarness(kind, url, compileScenarios(LOW_POPIN, HIGH_POPIN));
    await harness.send('ann', 'product', { id: 'mug' }, T0);
    expect(harness.popins.map((popin) => popin.action.title)).toEqual(['High']);
    expect(harness.triggers()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ scenario: 'high-popin', status: 'fired', reason: '' }),
        expect.objectContaining({ scenario: 'low-popin', status: 'suppressed', reason: 'priority' }),
      ]),
    );
  });

  test.skipIf(skip !== undefined)('actions on different channels do not compete', async () => {
    harness = await openHarness(kind, url, compileScenarios(HIGH_POPIN, LOW_EMAIL));
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'product', { id: 'mug' }, T0);
    expect(harness.fired().map((firing) => firing.scenario).sort()).toEqual(['high-popin', 'low-email']);
  });

  test.skipIf(skip !== undefined)('a scenario that does not apply to the visitor does not take the channel', async () => {
    const identifiedOnly = HIGH_POPIN.replace('then:', 'visitor: { identified: true }\nthen:');
    harness = await openHarness(kind, url, compileScenarios(identifiedOnly, LOW_POPIN));
    await harness.send('ann', 'product', { id: 'mug' }, T0);
    expect(harness.popins.map((popin) => popin.action.title)).toEqual(['Low']);
  });

  test.skipIf(skip !== undefined)('scenarios that fire on different events are not ranked against each other', async () => {
    harness = await openHarness(kind, url, compileScenarios(LOW_POPIN, HIGH_POPIN.replace('event: product', 'event: search')));
    await harness.send('ann', 'product', { id: 'mug' }, T0);
    await harness.send('ann', 'search', { q: 'mug' }, T0 + 1000);
    expect(harness.popins.map((popin) => popin.action.title)).toEqual(['Low', 'High']);
  });

  test.skipIf(skip !== undefined)('scenarios that fire on different events of one frame are not ranked against each other', async () => {
    harness = await openHarness(kind, url, compileScenarios(LOW_POPIN, HIGH_POPIN.replace('event: product', 'event: search')));
    await harness.sendFrame('ann', [
      { type: 'product', props: { id: 'mug' }, at: T0, id: 'view-1' },
      { type: 'search', props: { q: 'mug' }, at: T0 + 20, id: 'search-1' },
    ]);
    expect(harness.popins.map((popin) => popin.action.title).sort()).toEqual(['High', 'Low']);
  });

  test.skipIf(skip !== undefined)('a higher priority scenario in its quiet period does not hold back a lower one', async () => {
    const quietHigh = HIGH_POPIN.replace('priority: 90', 'priority: 90\ncooldown: 1h');
    harness = await openHarness(kind, url, compileScenarios(LOW_POPIN, quietHigh));
    await harness.send('ann', 'product', { id: 'mug' }, T0);
    await harness.send('ann', 'product', { id: 'cup' }, T0 + 60_000);
    expect(harness.popins.map((popin) => popin.action.title)).toEqual(['High', 'Low']);
  });
});
