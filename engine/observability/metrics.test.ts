import { describe, expect, test } from 'vitest';
import { createMetrics, type QueueCounts } from './metrics.js';

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

  test('queue jobs are read at each scrape, and a queue that could not be counted has no samples rather than old ones', async () => {
    const metrics = createMetrics(undefined, false);
    let webhook: QueueCounts = { state: 'counted', jobs: { ready: 4, held: 0, delayed: 1, dead: 2 } };
    metrics.reportQueues(async () => ({ mail: { state: 'counted', jobs: { ready: 1, held: 0, delayed: 0, dead: 0 } }, webhook }));

    expect(await metrics.registry.metrics()).toContain('tripwire_queue_jobs{queue="webhook",state="dead"} 2');
    webhook = { state: 'unknown' };
    const text = await metrics.registry.metrics();

    expect(text).toContain('tripwire_queue_jobs{queue="mail",state="ready"} 1');
    expect(text).not.toContain('queue="webhook"');
  });

  test("prom-client's default metrics carry one tripwire_ prefix: tripwire_process_cpu_seconds_total, tripwire_nodejs_heap_size_used_bytes", async () => {
    const text = await createMetrics().registry.metrics();

    expect(text).toMatch(/^tripwire_process_cpu_seconds_total /m);
    expect(text).toMatch(/^tripwire_process_resident_memory_bytes /m);
    expect(text).toMatch(/^tripwire_nodejs_heap_size_used_bytes /m);
    expect(text).not.toContain('tripwire_process_process_');
  });
});
