import { describe, expect, test } from 'vitest';
import { createMetrics } from './metrics.js';

describe('engine metrics', () => {
  test('accepted events counted on the hot path are in the counter when it is read, by type', async () => {
    const metrics = createMetrics(undefined, false);
    metrics.acceptEvent('product');
    metrics.acceptEvent('product');
    metrics.acceptEvent('page');
    const values = (await metrics.eventsAccepted.get()).values.map(({ labels, value }) => [labels.type, value]);
    expect(values).toEqual([['product', 2], ['page', 1]]);
    metrics.acceptEvent('page');
    expect(await metrics.registry.metrics()).toContain('tripwire_events_accepted_total{type="page"} 2');
  });
});
