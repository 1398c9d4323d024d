import { describe, expect, test } from 'vitest';
import { ManualClock, type TrackedEvent } from '../events/index.js';
import { T0, pipelineWith, recording, reply } from '../../test/support/trigger-pipeline.js';

/**
 * docs/analysts.md: `conversions` has "one row per order"; rows.ts: "written for each purchase
 * event, once per order id". A thank-you page reloaded (or a purchase tracked from the page and
 * from the order confirmation) reports the same order in two purchase events with two event ids.
 */
describe('TriggerPipeline conversions', () => {
  test('an order reported by two purchase events is one conversions row', async () => {
    const clock = new ManualClock(T0);
    const { pipeline, sink } = pipelineWith(recording([]), clock);
    const purchase = (id: string, time: number): TrackedEvent => ({
      id,
      site: 'shop',
      visitor: 'ann',
      session: 's',
      type: 'purchase',
      time,
      receivedAt: time,
      url: 'https://shop.example/thanks',
      props: { order: 'order-42', value: 80 },
    });
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [purchase('e1', T0)], receivedAt: T0, reply });
    clock.set(T0 + 5_000);
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events: [purchase('e2', T0 + 5_000)], receivedAt: T0 + 5_000, reply });
    expect(sink.rows.conversions.map((row) => row.order_id)).toEqual(['order-42']);
    expect(sink.rows.events.map((row) => row.event_id)).toEqual(['e1', 'e2']);
  });

  test('an order reported twice in one frame is one conversions row; purchases without an order id are one row each', async () => {
    const clock = new ManualClock(T0);
    const { pipeline, sink } = pipelineWith(recording([]), clock);
    const purchase = (id: string, props: TrackedEvent['props']): TrackedEvent => ({
      id,
      site: 'shop',
      visitor: 'ann',
      session: 's',
      type: 'purchase',
      time: T0,
      receivedAt: T0,
      url: 'https://shop.example/thanks',
      props,
    });
    const events = [purchase('e1', { order: 7, value: 10 }), purchase('e2', { order: 7, value: 10 }), purchase('e3', { value: 5 }), purchase('e4', { value: 5 })];
    await pipeline.process({ visitor: { site: 'shop', visitor: 'ann' }, events, receivedAt: T0, reply });
    expect(sink.rows.conversions.map((row) => row.order_id)).toEqual(['7', 'e3', 'e4']);
  });
});
