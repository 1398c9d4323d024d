import type { RunningEngine } from '../../engine/config/compose.js';
import type { TrackedEvent } from '../../engine/events/index.js';
import type { EventType } from '../../engine/protocol/index.js';

/** What a seeded visitor has done: a short browse that touches every window of the demo scenarios. */
const SESSION: ReadonlyArray<[EventType, Record<string, string | number>]> = [
  ['page', {}],
  ['category', { id: 'coffee' }],
  ['product', { id: 'sku-1', price: 19.5 }],
  ['search', { q: 'grinder' }],
  ['product', { id: 'sku-2', price: 24 }],
  ['cart_add', { id: 'sku-2', qty: 1, price: 24 }],
];

/**
 * Fills the store with `count` visitors before a measurement, straight into the pipeline as the
 * gateway would hand their frames over (no sockets: a million visitors need no million sockets).
 * Returns how many frames failed.
 */
export async function seedVisitors(engine: RunningEngine, count: number, prefix: string, concurrency = 256): Promise<number> {
  const site = engine.config.sites[0]!.key;
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const visitor = `${prefix}-${next++}`;
      const now = Date.now();
      const events: TrackedEvent[] = SESSION.map(([type, props], i) => ({
        id: `seed${i}`,
        site,
        visitor,
        session: 'seed',
        type,
        time: now,
        receivedAt: now,
        url: '/shop/',
        props,
      }));
      await new Promise<void>((resolve) =>
        engine.pipeline.submit({
          visitor: { site, visitor },
          events,
          receivedAt: now,
          reply: { ack: () => resolve(), fail: () => (failed++, resolve()) },
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return failed;
}
