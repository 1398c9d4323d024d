/*
 * A store call that fails may still have run: a connection lost after Redis ran the script loses
 * only its reply. The frame's resend then comes back as duplicates, and its events must still
 * reach the warehouse, once.
 */
import { describe, expect, test } from 'vitest';
import { ManualClock } from '../events/index.js';
import { T0, pipelineWith, recording, storeFailingOnce, frameOf, purchase } from '../../test/support/trigger-pipeline.js';



describe('TriggerPipeline events whose store call failed', () => {
  test('a frame whose apply ran but lost its reply fails, and its resend writes its rows once', async () => {
    const clock = new ManualClock(T0);
    const { pipeline, sink } = pipelineWith(recording([]), clock, { store: storeFailingOnce(clock, 'apply', { afterRunning: true }) });
    const first = frameOf([purchase('p1')]);
    await pipeline.process(first.frame);
    expect([first.outcome(), sink.rows.events.length]).toEqual(['failed TW_INTERNAL', 0]);
    const resend = frameOf([purchase('p1')]);
    await pipeline.process(resend.frame);
    expect(resend.outcome()).toBe('acked');
    expect(sink.rows.events.map((row) => row.event_id)).toEqual(['p1']);
    expect(sink.rows.conversions.map((row) => row.order_id)).toEqual(['order-42']);
  });

  test('a second resend, after the first one was stored and written, is a duplicate again', async () => {
    const clock = new ManualClock(T0);
    const { pipeline, sink } = pipelineWith(recording([]), clock, { store: storeFailingOnce(clock, 'apply', { afterRunning: true }) });
    for (let i = 0; i < 3; i++) await pipeline.process(frameOf([purchase('p1')]).frame);
    expect(sink.rows.events.map((row) => row.event_id)).toEqual(['p1']);
    expect(sink.rows.conversions).toHaveLength(1);
  });

  test('a frame whose apply never ran is written once, and its later resends are duplicates', async () => {
    const clock = new ManualClock(T0);
    const { pipeline, sink } = pipelineWith(recording([]), clock, { store: storeFailingOnce(clock, 'apply') });
    for (let i = 0; i < 3; i++) await pipeline.process(frameOf([purchase('p1')]).frame);
    expect(sink.rows.events.map((row) => row.event_id)).toEqual(['p1']);
    expect(sink.rows.conversions).toHaveLength(1);
  });

  test('an event stored and written before is still a duplicate when another frame failed', async () => {
    const clock = new ManualClock(T0);
    const { pipeline, sink } = pipelineWith(recording([]), clock, { store: storeFailingOnce(clock, 'apply', { afterRunning: true, matches: (request) => request.events[0]?.eventId === 'p2' }) });
    await pipeline.process(frameOf([purchase('p1')]).frame);
    await pipeline.process(frameOf([{ ...purchase('p2'), props: { order: 'order-43', value: 10 } }]).frame);
    await pipeline.process(frameOf([purchase('p1')]).frame);
    expect(sink.rows.events.map((row) => row.event_id)).toEqual(['p1']);
  });
});
