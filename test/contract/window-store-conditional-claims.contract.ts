import { describe, expect, it } from 'vitest';
import type { VisitorRef } from '../../engine/events/index.js';
import type { ApplyResult, ClaimCheck, ConditionalClaim, StateOp } from '../../engine/state/index.js';
import { CLAIM_GRANTED as GRANTED, CLAIM_NOT_TRIED as NOT_TRIED } from '../../engine/state/index.js';
import { SPAN, add, alice, cap, gate, type WindowStoreHarness } from './window-store-timers.contract.js';

let seq = 0;

/** A claim on the result of the request's first event's first op: equal to `count` (a crossing), or at least `count`. */
function when(count: number, lane: string, checks: ClaimCheck[], holds: 'crossing' | 'atLeast' = 'crossing'): ConditionalClaim {
  return { event: 0, op: 0, equals: holds === 'crossing' ? count : undefined, atLeast: count, lane, checks };
}

/** The conditional claims half of the WindowStore contract (see window-store.contract.ts). */
export function describeConditionalClaims(h: WindowStoreHarness): void {
  async function view(visitor: VisitorRef, at: number, claims: ConditionalClaim[], id = `view-${++seq}`, ...more: StateOp[]): Promise<ApplyResult> {
    h.clock.set(at);
    return h.store.apply({ visitor, now: at, events: [{ eventId: id, ops: [add('views', id, at), ...more] }], claims });
  }

  /** A view made at `madeAt` that reaches the store at `now`: the tracker resent it after a time offline. */
  async function late(visitor: VisitorRef, now: number, madeAt: number, claims: ConditionalClaim[]): Promise<ApplyResult> {
    h.clock.set(now);
    const id = `late-${++seq}`;
    return h.store.apply({ visitor, now, events: [{ eventId: id, ops: [add('views', id, madeAt)] }], claims });
  }

  describe('claims taken by an apply when its results meet their conditions', () => {
    it('takes a claim when the result reaches its count', async () => {
      await view(alice, h.t0, []);
      const second = await view(alice, h.t0 + 1, [when(2, 'popin', [gate('cool', 60_000)])]);
      expect(second.claims).toEqual([GRANTED]);
    });

    it('does not try a claim whose result misses its count, and records nothing of it', async () => {
      const first = await view(alice, h.t0, [when(2, 'popin', [gate('cool', 60_000)])]);
      expect(first.claims).toEqual([NOT_TRIED]);
      expect(await h.store.claim({ visitor: alice, now: h.t0 + 1, claims: [{ checks: [gate('cool', 60_000)] }] })).toEqual([GRANTED]);
    });

    it('with `equals`, holds only at the crossing; without it, at every count from `atLeast` on', async () => {
      await view(alice, h.t0, []);
      await view(alice, h.t0 + 1, []);
      const third = await view(alice, h.t0 + 2, [when(2, 'a', [gate('a', 1)]), when(2, 'b', [gate('b', 1)], 'atLeast')]);
      expect(third.claims).toEqual([NOT_TRIED, GRANTED]);
    });

    it('does not try a claim on an event already applied (a resend)', async () => {
      await view(alice, h.t0, []);
      await view(alice, h.t0 + 1, [], 'resent');
      const again = await view(alice, h.t0 + 2, [when(2, 'popin', [gate('cool', 60_000)], 'atLeast')], 'resent');
      expect(again.events[0]!.duplicate).toBe(true);
      expect(again.claims).toEqual([NOT_TRIED]);
    });

    it('tries the claims of a lane whose condition holds until one is granted, and every lane', async () => {
      await h.store.claim({ visitor: alice, now: h.t0, claims: [{ checks: [gate('quiet', 60_000)] }] });
      const result = await view(alice, h.t0 + 1, [
        when(2, 'popin', [gate('missed', 1)]),
        when(1, 'popin', [gate('quiet', 60_000)]),
        when(1, 'popin', [gate('first', 60_000)]),
        when(1, 'popin', [gate('second', 60_000)]),
        when(1, 'email', [gate('other lane', 60_000)]),
      ]);
      expect(result.claims).toEqual([NOT_TRIED, 0, GRANTED, NOT_TRIED, GRANTED]);
      expect(await h.store.claim({ visitor: alice, now: h.t0 + 2, claims: [{ checks: [gate('second', 60_000)] }] })).toEqual([GRANTED]);
    });

    it('reports the first failing check of a claim as claim() does, and records none of its checks', async () => {
      await h.store.claim({ visitor: alice, now: h.t0, claims: [{ checks: [cap('popins', 1, 'first')] }] });
      const result = await view(alice, h.t0 + 1, [when(1, 'popin', [gate('cool', 60_000), cap('popins', 1, 'second')])]);
      expect(result.claims).toEqual([1]);
      expect(await h.store.claim({ visitor: alice, now: h.t0 + 2, claims: [{ checks: [gate('cool', 60_000)] }] })).toEqual([GRANTED]);
    });

    it('is refused by a gate claim() took, and a later claim sees the gate it took', async () => {
      await h.store.claim({ visitor: alice, now: h.t0, claims: [{ checks: [gate('cool', 60_000)] }] });
      expect((await view(alice, h.t0 + 1, [when(1, 'popin', [gate('cool', 60_000)])])).claims).toEqual([0]);
      await view(alice, h.t0 + 60_000, [when(1, 'popin', [gate('cool', 60_000)])]);
      expect(await h.store.claim({ visitor: alice, now: h.t0 + 60_001, claims: [{ checks: [gate('cool', 60_000)] }] })).toEqual([0]);
    });

    it('a late event (its time long before the apply\'s now) meets the gate and cap taken before it arrived', async () => {
      await h.store.claim({ visitor: alice, now: h.t0, claims: [{ checks: [gate('cool', 5000)] }, { checks: [cap('popins', 1, 'live')] }] });
      const result = await late(alice, h.t0 + 1000, h.t0 - 3 * SPAN, [when(1, 'popin', [cap('popins', 1, 'late')]), when(1, 'webhook', [gate('cool', 5000)])]);
      expect(result.claims).toEqual([0, 0]);
    });

    it('a claim a late event took counts from the apply\'s now, not from its event\'s time', async () => {
      const arrived = h.t0 + 3 * SPAN;
      const result = await late(alice, arrived, h.t0, [when(1, 'popin', [cap('popins', 1, 'late')]), when(1, 'webhook', [gate('cool', 5000)])]);
      expect(result.claims).toEqual([GRANTED, GRANTED]);
      const at = (now: number) => h.store.claim({ visitor: alice, now, claims: [{ checks: [cap('popins', 1, `live-${now}`)] }, { checks: [gate('cool', 5000)] }] });
      expect(await at(arrived + 4999)).toEqual([0, 0]);
      expect(await at(arrived + SPAN)).toEqual([GRANTED, GRANTED]);
    });

    it('counts every claim of a frame from its now, whatever the times of its events', async () => {
      h.clock.set(h.t0 + 5000);
      const result = await h.store.apply({
        visitor: alice,
        now: h.t0 + 5000,
        events: [
          { eventId: `early-${++seq}`, ops: [add('views', 'early', h.t0)] },
          { eventId: `later-${++seq}`, ops: [add('views', 'later', h.t0 + 4000)] },
        ],
        claims: [
          { event: 0, op: 0, equals: undefined, atLeast: 1, lane: 'popin', checks: [gate('a', 1000)] },
          { event: 1, op: 0, equals: undefined, atLeast: 1, lane: 'webhook', checks: [gate('b', 1000)] },
        ],
      });
      expect(result.claims).toEqual([GRANTED, GRANTED]);
      const at = (now: number) => h.store.claim({ visitor: alice, now, claims: [{ checks: [gate('a', 1000)] }, { checks: [gate('b', 1000)] }] });
      expect(await at(h.t0 + 5999)).toEqual([0, 0]);
      expect(await at(h.t0 + 6000)).toEqual([GRANTED, GRANTED]);
    });

    it('returns the cart after the call when a claim was granted, for the delivery to render', async () => {
      const result = await view(alice, h.t0, [when(1, 'popin', [gate('cool', 60_000)])], undefined, { kind: 'hash.set', hash: 'cart', field: 'sku-1', value: '2' });
      expect(result.cart).toEqual({ 'sku-1': '2' });
    });

    it('returns no cart when no claim was granted, and no outcomes without conditional claims', async () => {
      const refused = await view(alice, h.t0, [when(2, 'popin', [gate('cool', 60_000)])], undefined, { kind: 'hash.set', hash: 'cart', field: 'sku-1', value: '2' });
      expect(refused.cart).toBeUndefined();
      const plain = await view(alice, h.t0 + 1, []);
      expect(plain.claims).toEqual([]);
      expect(plain.cart).toBeUndefined();
    });

    it('reads a condition on any event and op of the frame', async () => {
      h.clock.set(h.t0);
      const result = await h.store.apply({
        visitor: alice,
        now: h.t0,
        events: [
          { eventId: `a-${++seq}`, ops: [add('views', 'a', h.t0)] },
          { eventId: `b-${++seq}`, ops: [{ kind: 'hash.set', hash: 'profile', field: 'x', value: '1' }, add('views', 'b', h.t0)] },
        ],
        claims: [{ event: 1, op: 1, equals: 2, atLeast: 2, lane: 'popin', checks: [gate('cool', 60_000)] }],
      });
      expect(result.claims).toEqual([GRANTED]);
    });
  });
}
