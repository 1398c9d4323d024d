import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { T0, compileScenarios, openHarness, storeKinds, type HarnessOptions, type StoreKind } from './scenario-harness.js';

/**
 * Pop-in and webhook scenarios without visitor filters: their claims go with the frame's apply.
 * Same priorities (ties), a control group, a transactional lane beside the marketing one, caps
 * above one (so a lane's second claim would be granted if the lane rule were not kept).
 */
const SCENARIOS = compileScenarios(
  'id: a\npriority: 5\ncooldown: 10m\nwhen: { count: { event: product, per: id, atLeast: 2, within: 30m } }\nthen: { popin: { title: t } }\n',
  'id: b\npriority: 5\ncooldown: 3m\nwhen: { count: { event: product, atLeast: 1, within: 5m } }\nthen: { popin: { title: t } }\n',
  'id: c\npriority: 9\ncooldown: 7m\nwhen: { count: { event: product, distinct: id, atLeast: 2, within: 15m } }\nthen: { popin: { title: t } }\ncontrol: 40%\n',
  'id: d\ntransactional: true\ncooldown: 4m\nwhen: { count: { event: product, per: id, atLeast: 1, within: 5m } }\nthen: { popin: { title: t } }\n',
  'id: e\ncooldown: 6m\nwhen: { count: { event: search, atLeast: 1, within: 5m } }\nthen: { webhook: { url: "https://hooks.example/e" } }\n',
  'id: f\npriority: 7\nwhen: { count: { event: search, atLeast: 1, within: 5m } }\nthen: { popin: { title: t } }\n',
  'id: g\npriority: 8\nvisitor: { identified: false }\nwhen: { sequence: { first: { event: search }, then: { event: product }, within: 10m } }\nthen: { webhook: { url: "https://hooks.example/g" } }\n',
);

const CAPS: HarnessOptions['caps'] = { popin: { limit: 3, within: 20 * 60_000 }, webhook: { limit: 2, within: 60 * 60_000 } };

const eventArbitrary = fc.record({
  type: fc.constantFrom('product' as const, 'product' as const, 'search' as const),
  product: fc.constantFrom('p1', 'p2', 'p3'),
  /** In steps of 20 s: events of one frame are seconds or minutes apart. */
  gap: fc.nat(12),
  /** Sent again under the id of the event before it. */
  resent: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
});
const framesArbitrary = fc.array(fc.array(eventArbitrary, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 25 });
type Frames = Array<Array<{ type: 'product' | 'search'; product: string; gap: number; resent: boolean }>>;

/** Every trigger recorded for the visitor's frames, one frame per inner array. */
async function triggersOf(frames: Frames, who: string, kind: StoreKind, url: string | undefined, options: HarnessOptions): Promise<string[]> {
  const harness = await openHarness(kind, url, SCENARIOS, { caps: CAPS, ...options });
  try {
    let at = T0;
    let sequence = 0;
    for (const frame of frames) {
      const events = frame.map((event) => {
        at += event.gap * 20_000 + 1;
        const id = event.resent && sequence > 0 ? `e${sequence}` : `e${++sequence}`;
        return { type: event.type, props: event.type === 'product' ? { id: event.product } : { q: event.product }, at, id };
      });
      await harness.sendFrame(who, events);
    }
    return harness.triggers().map((firing) => `${firing.scenario} ${firing.eventId} ${firing.time - T0} ${firing.status} ${firing.reason} ${firing.variant}`);
  } finally {
    await harness.close();
  }
}

const kinds = await storeKinds();

describe('claims a frame\'s apply takes decide as claims after the apply would, for frames of several events', () => {
  for (const { kind, url, skip } of kinds) {
    test.skipIf(skip !== undefined)(`on the ${kind} store (fast-check)`, async () => {
      const reasons = new Set<string>();
      await fc.assert(
        // Visitors differ in their variant draws: some are in c's control group.
        fc.asyncProperty(framesArbitrary, fc.constantFrom('ann', 'bob', 'cy', 'dee', 'eve', 'fay'), async (frames, who) => {
          const withApply = await triggersOf(frames, who, kind, url, {});
          expect(withApply).toEqual(await triggersOf(frames, who, kind, url, { claimsAfterApply: true }));
          for (const firing of withApply) reasons.add(firing.split(' ')[4]!);
        }),
        { numRuns: kind === 'memory' ? 150 : 40, seed: 20261123 },
      );
      // Worth something only if firings were granted and lost to each rule.
      expect([...reasons].sort()).toEqual(['', 'cap', 'control', 'cooldown', 'priority']);
    });
  }
});
