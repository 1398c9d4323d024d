import { afterEach, describe, expect, test } from 'vitest';
import { DAY, T0, compileScenarios, openHarness, signIn, storeKinds, type ScenarioHarness, type StoreKind } from './scenario-harness.js';

const TEN_PERCENT_CONTROL = `
id: search-help
control: 10%
when:
  count: { event: search, atLeast: 1, within: 1s }
then:
  popin: { title: "Need help?" }
`;

const THREE_TO_ONE = `
id: offer-test
when:
  count: { event: search, atLeast: 1, within: 1s }
variants:
  - id: discount
    weight: 3
    then: { popin: { title: "10% off" } }
  - id: shipping
    weight: 1
    then: { popin: { title: "Free shipping" } }
`;

const JOURNEY_VARIANTS = `
id: journey-test
when:
  count: { event: track, where: { name: signup }, atLeast: 1, within: 1d }
variants:
  - id: short
    journey:
      - email: { template: short-1 }
      - wait: 1d
        email: { template: short-2 }
  - id: long
    journey:
      - email: { template: long-1 }
      - wait: 1d
        email: { template: long-2 }
`;

const VISITORS = Array.from({ length: 1000 }, (_, i) => `visitor-${i}`);

describe.each(await storeKinds())('A/B variants and control group, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  async function searchAll(store: StoreKind, scenario: string, visitors: readonly string[]): Promise<Map<string, string>> {
    const run = await openHarness(store, url, compileScenarios(scenario));
    try {
      for (const visitor of visitors) await run.send(visitor, 'search', { q: 'mug' }, T0);
      return new Map(run.triggers().map((firing) => [firing.visitor, firing.variant]));
    } finally {
      await run.close();
    }
  }

  test.skipIf(skip !== undefined)('a control visitor is recorded as suppressed for control and sees nothing', async () => {
    const groups = await searchAll(kind, TEN_PERCENT_CONTROL, VISITORS.slice(0, 100));
    const held = [...groups].find(([, variant]) => variant === 'control')![0];
    harness = await openHarness(kind, url, compileScenarios(TEN_PERCENT_CONTROL));
    await harness.send(held, 'search', { q: 'mug' }, T0);
    expect(harness.triggers()).toMatchObject([{ visitor: held, status: 'suppressed', reason: 'control', variant: 'control' }]);
    expect(harness.popins).toEqual([]);
  });

  test.skipIf(skip !== undefined)('the control group is about the configured share of visitors', async () => {
    const groups = await searchAll(kind, TEN_PERCENT_CONTROL, VISITORS);
    const control = [...groups.values()].filter((variant) => variant === 'control').length;
    expect(control).toBeGreaterThan(70);
    expect(control).toBeLessThan(130);
  });

  test.skipIf(skip !== undefined)('a visitor always lands in the same group, on every engine', async () => {
    const first = await searchAll(kind, THREE_TO_ONE, VISITORS.slice(0, 200));
    const second = await searchAll(kind, THREE_TO_ONE, VISITORS.slice(0, 200).reverse());
    expect(second).toEqual(first);
  });

  test.skipIf(skip !== undefined)('variants are assigned in proportion to their weights, and each gets its own action', async () => {
    const groups = await searchAll(kind, THREE_TO_ONE, VISITORS);
    const discount = [...groups.values()].filter((variant) => variant === 'discount').length;
    expect(discount).toBeGreaterThan(700);
    expect(discount).toBeLessThan(800);
    harness = await openHarness(kind, url, compileScenarios(THREE_TO_ONE));
    const [visitor, variant] = [...groups][0]!;
    await harness.send(visitor, 'search', { q: 'mug' }, T0);
    expect(harness.popins[0]?.action.title).toBe(variant === 'discount' ? '10% off' : 'Free shipping');
  });

  test.skipIf(skip !== undefined)('a journey keeps the variant chosen at its first step', async () => {
    harness = await openHarness(kind, url, compileScenarios(JOURNEY_VARIANTS));
    for (const visitor of ['ann', 'bob', 'cid', 'dan']) {
      await signIn(harness, visitor, T0);
      await harness.send(visitor, 'track', { name: 'signup' }, T0);
    }
    await harness.advanceTo(T0 + 2 * DAY);
    for (const visitor of ['ann', 'bob', 'cid', 'dan']) {
      const templates = harness.emails.filter((email) => email.visitor.visitor === visitor).map((email) => email.action.template);
      expect([['short-1', 'short-2'], ['long-1', 'long-2']]).toContainEqual(templates);
    }
  });
});
