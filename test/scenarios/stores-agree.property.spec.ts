import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { EventType } from '../../engine/protocol/index.js';
import { MINUTE, T0, compileScenarios, openHarness, storeKinds, type Firing, type HarnessOptions, type StoreKind } from './scenario-harness.js';

/** One scenario per construct, with short windows so random streams hit the boundaries often. */
const SCENARIOS = compileScenarios(
  `
id: viewed-3
cooldown: 20m
when: { count: { event: product, per: id, atLeast: 3, within: 30m } }
then: { popin: { title: t } }
`,
  `
id: searched
cooldown: 30m
when: { count: { event: search, atLeast: 1, within: 5m } }
then: { webhook: { url: "https://hooks.example/search" } }
`,
  `
id: two-products
priority: 70
when: { count: { event: product, distinct: id, atLeast: 2, within: 15m } }
then: { popin: { title: t } }
`,
  `
id: product-seen
priority: 10
cooldown: 10m
when: { count: { event: product, atLeast: 1, within: 5m } }
then: { popin: { title: t } }
`,
  `
id: signed-in-viewer
priority: 40
cooldown: 15m
visitor: { identified: true }
when: { count: { event: product, per: id, atLeast: 2, within: 10m } }
then: { webhook: { url: "https://hooks.example/viewer" } }
`,
  `
id: cart-left
priority: 80
when: { absence: { after: { event: cart_add }, missing: { event: [checkout, purchase] }, within: 30m } }
variants:
  - { id: A, weight: 1, then: { email: { template: a } } }
  - { id: B, weight: 1, then: { email: { template: b } } }
control: 30%
`,
  `
id: category-left
when: { absence: { after: { event: category, by: id }, missing: { event: [product, cart_add], by: category }, within: 20m } }
then: { popin: { title: t } }
`,
  `
id: searched-then-carted
when: { sequence: { first: { event: search }, then: { event: cart_add }, within: 10m } }
then: { webhook: { url: "https://hooks.example/x" } }
`,
  `
id: welcome-journey
cooldown: 1d
when: { count: { event: identify, atLeast: 1, within: 1d } }
journey:
  - email: { template: welcome }
  - wait: 40m
    unless: { event: purchase }
    email: { template: promo }
`,
);

const TYPES: EventType[] = ['product', 'product', 'product', 'category', 'search', 'cart_add', 'checkout', 'purchase', 'identify', 'consent'];

const streamArbitrary = fc.record({
  signedIn: fc.subarray(['ann', 'bob', 'cy', 'dee', 'eve']),
  steps: fc.array(
    fc.record({
      visitor: fc.constantFrom('ann', 'bob', 'cy', 'dee', 'eve'),
      type: fc.constantFrom(...TYPES),
      product: fc.constantFrom('p1', 'p2', 'p3'),
      category: fc.constantFrom('c1', 'c2'),
      // Mostly short gaps (windows fill up), sometimes long ones (timers fire, windows slide).
      gapMinutes: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 6 }) }, { weight: 1, arbitrary: fc.integer({ min: 7, max: 45 }) }),
    }),
    { minLength: 20, maxLength: 80 },
  ),
});

type Step = { visitor: string; type: EventType; product: string; category: string; gapMinutes: number };

function propsFor(step: Step): Record<string, unknown> {
  switch (step.type) {
    case 'product':
    case 'cart_add':
      return { id: step.product, category: step.category, price: 10 };
    case 'category':
      return { id: step.category };
    case 'search':
      return { q: 'mug' };
    case 'identify':
      return { email: `${step.visitor}@example.test`, verified: true };
    case 'consent':
      return { email: true };
    case 'purchase':
      return { order: 'o', value: 10 };
    default:
      return {};
  }
}

function byVisitorThenTime(a: Firing, b: Firing): number {
  return a.visitor.localeCompare(b.visitor) || a.time - b.time;
}

type Stream = { signedIn: string[]; steps: Step[] };

/** Every trigger the stream records, fired or suppressed, by visitor then time. */
async function triggersOf(stream: Stream, kind: StoreKind, url: string | undefined, options: HarnessOptions): Promise<Firing[]> {
  const harness = await openHarness(kind, url, SCENARIOS, { caps: { popin: { limit: 1, within: 30 * MINUTE } }, ...options });
  try {
    let at = T0;
    for (const who of stream.signedIn) {
      await harness.send(who, 'consent', { email: true }, at);
      await harness.send(who, 'identify', { email: `${who}@example.test`, verified: true }, at);
    }
    for (const step of stream.steps) {
      at += step.gapMinutes * MINUTE + 1;
      await harness.send(step.visitor, step.type, propsFor(step), at);
    }
    await harness.advanceTo(at + 3 * 60 * MINUTE);
    // Visitors are independent: timers of two visitors due at the same moment may fire in either order.
    return harness.triggers().sort(byVisitorThenTime);
  } finally {
    await harness.close();
  }
}

const kinds = await storeKinds();
const redis = kinds.find((k) => k.kind === 'redis')!;

describe('the in-process and Redis stores fire the same scenarios at the same times', () => {
  test.skipIf(redis.skip !== undefined)('for random event streams (fast-check)', async () => {
    const seen = { fired: 0, suppressed: new Set<string>() };
    await fc.assert(
      fc.asyncProperty(streamArbitrary, async (stream) => {
        const runs: Firing[][] = [];
        for (const { kind, url } of kinds) runs.push(await triggersOf(stream, kind, url, {}));
        expect(runs[1]).toEqual(runs[0]);
        for (const firing of runs[0]!) {
          if (firing.status === 'fired') seen.fired++;
          else seen.suppressed.add(firing.reason);
        }
      }),
      { numRuns: 40, seed: 20261123 },
    );
    // The property is only worth something if the streams exercise firings and every suppression path.
    expect(seen.fired).toBeGreaterThan(100);
    expect([...seen.suppressed].sort()).toEqual(['cap', 'consent', 'control', 'cooldown', 'priority']);
  });
});

describe('freezing idle visitors changes no trigger', () => {
  test('every visitor frozen between calls fires what the live store fires, for random event streams (fast-check)', async () => {
    let fired = 0;
    await fc.assert(
      fc.asyncProperty(streamArbitrary, async (stream) => {
        const live = await triggersOf(stream, 'memory', undefined, {});
        expect(await triggersOf(stream, 'memory', undefined, { frozenBetweenCalls: true })).toEqual(live);
        fired += live.filter((firing) => firing.status === 'fired').length;
      }),
      { numRuns: 40, seed: 20261125 },
    );
    expect(fired).toBeGreaterThan(100);
  });
});

/** The scenarios a frame fires (count triggers): with no visitor filter nor email, their claims go with the frame's apply; signed-in-viewer's after it. */
const FRAME_FIRED = new Set(['viewed-3', 'searched', 'two-products', 'product-seen', 'signed-in-viewer']);

describe('claims a frame\'s apply takes decide as claims after the apply would', () => {
  for (const { kind, url, skip } of kinds) {
    test.skipIf(skip !== undefined)(`on the ${kind} store, for random event streams (fast-check)`, async () => {
      const seen = { fired: 0, reasons: new Set<string>() };
      await fc.assert(
        fc.asyncProperty(streamArbitrary, async (stream) => {
          const withApply = await triggersOf(stream, kind, url, {});
          expect(withApply).toEqual(await triggersOf(stream, kind, url, { claimsAfterApply: true }));
          for (const firing of withApply.filter((firing) => FRAME_FIRED.has(firing.scenario))) {
            if (firing.status === 'fired') seen.fired++;
            else seen.reasons.add(firing.reason);
          }
        }),
        { numRuns: kind === 'memory' ? 40 : 15, seed: 20261124 },
      );
      // Worth something only if frames fired, and lost to priority, cooldowns and caps.
      expect(seen.fired).toBeGreaterThan(50);
      expect([...seen.reasons].sort()).toEqual(['cap', 'cooldown', 'priority']);
    });
  }
});
