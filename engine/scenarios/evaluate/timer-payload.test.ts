import { describe, expect, it } from 'vitest';
import type { Scenario } from '../model.js';
import { decodeTimerPayload, encodeTimerPayload, retryTimerPayload, timerContext, type TimerPayload } from './timer-payload.js';

const context = {
  scenario: { id: 'cart-abandoned', name: 'Abandoned cart' },
  event: { id: 'k2j4h-3', type: 'cart_add', time: 1_800_000_000_000, url: '/shop/mug' },
  props: { id: 'mug', qty: 1, price: 12.5 },
};

describe('timer payloads', () => {
  it('read back the triggering event and its properties', () => {
    const stored = decodeTimerPayload(encodeTimerPayload({ scenario: 'cart-abandoned', context }));
    expect(stored).toEqual({ scenario: 'cart-abandoned', event: context.event, props: context.props });
  });

  it('read back the journey step, variant, occurrence and failures', () => {
    const payload: TimerPayload = { scenario: 'cart-abandoned', context, variant: 'b', step: 2, occurrence: 'k2j4h-3@1800000000000', failures: 1 };
    expect(decodeTimerPayload(encodeTimerPayload(payload))).toMatchObject({ variant: 'b', step: 2, occurrence: 'k2j4h-3@1800000000000', failures: 1 });
  });

  it('leave out the scenario name: the loaded scenario gives it when the timer fires', () => {
    const text = encodeTimerPayload({ scenario: 'cart-abandoned', context });
    expect(text).not.toContain('Abandoned cart');
    const renamed = { id: 'cart-abandoned', name: 'Cart left behind' } as Scenario;
    expect(timerContext(decodeTimerPayload(text), renamed)).toEqual({ ...context, scenario: { id: 'cart-abandoned', name: 'Cart left behind' } });
  });

  it('leave out an occurrence that is the event itself', () => {
    const text = encodeTimerPayload({ scenario: 'cart-abandoned', context, variant: 'a', step: 1, occurrence: context.event.id });
    expect(text.split(context.event.id)).toHaveLength(2);
    expect(decodeTimerPayload(text).occurrence ?? decodeTimerPayload(text).event.id).toBe(context.event.id);
  });

  it('count failed deliveries when armed again, up to the limit', () => {
    const once = retryTimerPayload(encodeTimerPayload({ scenario: 'cart-abandoned', context }), 2)!;
    expect(decodeTimerPayload(once)).toMatchObject({ failures: 1, event: context.event, props: context.props });
    expect(retryTimerPayload(retryTimerPayload(once, 2)!, 2)).toBeUndefined();
  });
});
