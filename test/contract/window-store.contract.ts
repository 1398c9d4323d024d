/*
 * The WindowStore contract: every store (in-process, Redis) passes this suite, and where a store
 * disagrees with it the store is wrong.
 *
 * THE boundary spec: a window counts the members within (at - span, at], half-open. An event
 * exactly `span` before `at` no longer counts (and is dropped); one a millisecond younger does.
 * Caps use the same window. A gate held for `ttl` from `now` is closed until `now + ttl` and
 * open from `now + ttl` on. A timer is due when `due <= now`. A duplicate id is one seen within
 * (now - dedupeHorizon, now].
 *
 * Time is virtual: requests carry `now` and `at`; stores that read a clock get `setup.clock`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, type VisitorRef } from '../../engine/events/index.js';
import type { EventOps, RetentionPolicy, StateOp, WindowStore } from '../../engine/state/index.js';
import { SPAN, add, alice, bob, count, describeTimersAndClaims, gate, type WindowStoreHarness } from './window-store-timers.contract.js';
import { describeSkippedContract } from '../support/skipped-suite.js';
import { describeConditionalClaims } from './window-store-conditional-claims.contract.js';

export interface WindowStoreSetup {
  clock: ManualClock;
  retention: RetentionPolicy;
}

export interface OpenedWindowStore {
  store: WindowStore;
  /**
   * A second handle on the same state, as a second engine sharing the store would hold: a
   * store on its own connection for Redis, the same instance for the in-process store.
   */
  peer: WindowStore;
  close(): Promise<void>;
}

export interface WindowStoreContractOptions {
  /** Skips the whole suite; the reason shows in the report. */
  skip?: string;
}

const DEDUPE_HORIZON = 60_000;

export function describeWindowStoreContract(
  name: string,
  open: (setup: WindowStoreSetup) => Promise<OpenedWindowStore>,
  options: WindowStoreContractOptions = {},
): void {
  if (options.skip !== undefined) {
    describeSkippedContract(name, 'WindowStore', options.skip);
    return;
  }

  describe(`${name} meets the WindowStore contract`, () => {
    let opened: OpenedWindowStore;
    let store: WindowStore;
    let clock: ManualClock;
    let t0: number;
    let eventSeq = 0;

    beforeEach(async () => {
      t0 = Math.floor(Date.now() / 1000) * 1000;
      clock = new ManualClock(t0);
      opened = await open({ clock, retention: { profileTtl: 3_600_000, dedupeHorizon: DEDUPE_HORIZON } });
      store = opened.store;
    });

    afterEach(async () => {
      await opened.close();
    });


    /** Applies one event (fresh id) at `now`, returning its op results. */
    async function run(visitor: VisitorRef, now: number, ...ops: StateOp[]): Promise<number[]> {
      clock.set(now);
      const result = await store.apply({ visitor, now, events: [{ eventId: `e${++eventSeq}`, ops }] });
      return result.events[0]!.results;
    }

    describe('sliding windows', () => {
      it('counts the members added within the span ending at the event time', async () => {
        expect(await run(alice, t0, add('views', 'a', t0))).toEqual([1]);
        expect(await run(alice, t0 + 10, add('views', 'b', t0 + 10))).toEqual([2]);
        expect(await run(alice, t0 + 20, add('views', 'c', t0 + 20))).toEqual([3]);
      });

      it('no longer counts a member exactly one span old', async () => {
        await run(alice, t0, add('views', 'a', t0));
        expect(await run(alice, t0 + SPAN, add('views', 'b', t0 + SPAN))).toEqual([1]);
      });

      it('still counts a member one millisecond younger than the span', async () => {
        await run(alice, t0, add('views', 'a', t0));
        expect(await run(alice, t0 + SPAN - 1, add('views', 'b', t0 + SPAN - 1))).toEqual([2]);
      });

      it('moves a re-added member instead of counting it twice', async () => {
        await run(alice, t0, add('products', 'sku-1', t0));
        expect(await run(alice, t0 + 5000, add('products', 'sku-1', t0 + 5000))).toEqual([1]);
        expect(await run(alice, t0 + SPAN + 1000, count('products', t0 + SPAN + 1000))).toEqual([1]);
      });

      it('window.count reports the count without adding', async () => {
        await run(alice, t0, add('views', 'a', t0));
        expect(await run(alice, t0 + 1, count('views', t0 + 1))).toEqual([1]);
        expect(await run(alice, t0 + 2, count('views', t0 + 2))).toEqual([1]);
      });

      it('window.count applies the same half-open boundary', async () => {
        await run(alice, t0, add('views', 'a', t0));
        expect(await run(alice, t0 + SPAN, count('views', t0 + SPAN))).toEqual([0]);
      });

      it('window.count of a window never written is zero', async () => {
        expect(await run(alice, t0, count('nothing', t0))).toEqual([0]);
      });

      it('runs the ops of a frame in order, each seeing the ones before', async () => {
        const result = await store.apply({
          visitor: alice,
          now: t0,
          events: [
            { eventId: 'first', ops: [add('views', 'a', t0), count('views', t0), add('views', 'b', t0)] },
            { eventId: 'second', ops: [count('views', t0), { kind: 'hash.set', hash: 'profile', field: 'x', value: '1' }] },
          ],
        });
        expect(result.events).toEqual([
          { duplicate: false, results: [1, 1, 2] },
          { duplicate: false, results: [2, 0] },
        ]);
      });

      it('keeps windows of different keys apart', async () => {
        await run(alice, t0, add('views', 'a', t0));
        expect(await run(alice, t0, add('clicks', 'b', t0))).toEqual([1]);
      });

      it('keeps windows of different visitors of one site apart', async () => {
        await run(alice, t0, add('views', 'a', t0));
        expect(await run(bob, t0, add('views', 'b', t0))).toEqual([1]);
      });

      it('keeps the same visitor id on two sites apart', async () => {
        await run({ site: 'shop', visitor: 'carol' }, t0, add('views', 'a', t0));
        expect(await run({ site: 'blog', visitor: 'carol' }, t0, add('views', 'b', t0))).toEqual([1]);
      });

      it('keeps apart site and visitor ids that only differ in where a separator falls', async () => {
        await run({ site: 'a:b', visitor: 'c' }, t0, add('views', 'a', t0));
        expect(await run({ site: 'a', visitor: 'b:c' }, t0, add('views', 'b', t0))).toEqual([1]);
      });
    });

    describe('duplicate events', () => {
      const visit = (eventId: string, at: number): EventOps => ({ eventId, ops: [add('views', eventId, at)] });

      it('skips a resent event id: its ops do not run and it is reported duplicate', async () => {
        await store.apply({ visitor: alice, now: t0, events: [visit('e-1', t0)] });
        const resent = await store.apply({
          visitor: alice,
          now: t0 + 1000,
          events: [{ eventId: 'e-1', ops: [add('views', 'other', t0 + 1000), count('views', t0 + 1000)] }],
        });
        expect(resent.events).toEqual([{ duplicate: true, results: [0, 0] }]);
        expect(await run(alice, t0 + 1000, count('views', t0 + 1000))).toEqual([1]);
      });

      it('applies an id repeated within one frame once', async () => {
        const result = await store.apply({ visitor: alice, now: t0, events: [visit('e-1', t0), visit('e-1', t0)] });
        expect(result.events.map((event) => event.duplicate)).toEqual([false, true]);
      });

      it('records an id that carries no ops, so that its repeat is a duplicate (the pipeline records order ids so)', async () => {
        const first = await store.apply({ visitor: alice, now: t0, events: [visit('e-1', t0), { eventId: 'order:42', ops: [] }] });
        const again = await store.apply({ visitor: alice, now: t0 + 1000, events: [visit('e-2', t0 + 1000), { eventId: 'order:42', ops: [] }] });
        expect([...first.events, ...again.events].map((event) => event.duplicate)).toEqual([false, false, false, true]);
      });

      it('applies an id again once the dedupe horizon has passed', async () => {
        await store.apply({ visitor: alice, now: t0, events: [visit('e-1', t0)] });
        const later = t0 + DEDUPE_HORIZON;
        clock.set(later);
        const result = await store.apply({ visitor: alice, now: later, events: [visit('e-1', later)] });
        expect(result.events[0]!.duplicate).toBe(false);
      });

      it('counts an event resent after the dedupe horizon once in a window longer than the horizon', async () => {
        const span = DEDUPE_HORIZON * 10;
        const addOwn = (id: string, at: number): StateOp => ({ kind: 'window.add', key: 'visits', member: id, at, span });
        await store.apply({ visitor: alice, now: t0, events: [{ eventId: 'e-1', ops: [addOwn('e-1', t0)] }, { eventId: 'e-2', ops: [addOwn('e-2', t0)] }] });
        const later = t0 + DEDUPE_HORIZON * 2;
        clock.set(later);
        const resent = await store.apply({ visitor: alice, now: later, events: [{ eventId: 'e-1', ops: [addOwn('e-1', later)] }] });
        expect(resent.events[0]).toEqual({ duplicate: false, results: [2] });
      });

      it('does not treat the same id from another visitor as a duplicate', async () => {
        await store.apply({ visitor: alice, now: t0, events: [visit('e-1', t0)] });
        const result = await store.apply({ visitor: bob, now: t0, events: [visit('e-1', t0)] });
        expect(result.events[0]!.duplicate).toBe(false);
      });
    });

    describe('a visitor whose last connection closed', () => {
      it('comes back with every window, duplicate id and profile field, however long it stayed away', async () => {
        await store.apply({ visitor: alice, now: t0, events: [{ eventId: 'alice-1', ops: [add('views', 'a', t0, 60_000), { kind: 'hash.set', hash: 'profile', field: 'plan', value: 'gold' }] }] });
        store.disconnected(alice, t0);
        // Other visitors' calls go on meanwhile; a store may move alice's state aside after a while.
        for (let at = t0 + 5_000; at <= t0 + 30_000; at += 5_000) await run(bob, at, add('views', `b${at}`, at));
        clock.set(t0 + 30_000);
        expect(await store.snapshot(alice)).toEqual({ profile: { plan: 'gold' }, cart: {} });
        expect(await run(alice, t0 + 30_000, add('views', 'b', t0 + 30_000, 60_000))).toEqual([2]);
        const again = await store.apply({ visitor: alice, now: t0 + 30_000, events: [{ eventId: 'alice-1', ops: [add('views', 'c', t0 + 30_000)] }] });
        expect(again.events[0]!.duplicate).toBe(true);
      });

      it('comes back with its cart, its timers due in time, and its cooldowns still closed', async () => {
        await run(
          alice,
          t0,
          { kind: 'hash.set', hash: 'cart', field: 'sku-1', value: '2' },
          { kind: 'timer.arm', timer: 'absence:cart', due: t0 + 40_000, payload: 'cart' },
        );
        expect(await store.claim({ visitor: alice, now: t0, claims: [{ checks: [gate('cool:rescue', 120_000)] }] })).toEqual([-1]);
        store.disconnected(alice, t0);
        for (let at = t0 + 5_000; at <= t0 + 30_000; at += 5_000) await run(bob, at, add('views', `b${at}`, at));
        clock.set(t0 + 30_000);
        expect((await store.snapshot(alice)).cart).toEqual({ 'sku-1': '2' });
        expect(await store.claim({ visitor: alice, now: t0 + 30_000, claims: [{ checks: [gate('cool:rescue', 120_000)] }] })).toEqual([0]);
        expect((await store.takeDueTimers(t0 + 40_000, 10)).map((timer) => [timer.visitor.visitor, timer.timer, timer.payload])).toEqual([['alice', 'absence:cart', 'cart']]);
      });
    });

    describe('profile and cart', () => {
      it('hash.set writes fields that snapshot reads', async () => {
        await run(
          alice,
          t0,
          { kind: 'hash.set', hash: 'profile', field: 'email', value: 'a@example.com' },
          { kind: 'hash.set', hash: 'cart', field: 'sku-1', value: '2' },
        );
        expect(await store.snapshot(alice)).toEqual({ profile: { email: 'a@example.com' }, cart: { 'sku-1': '2' } });
      });

      it('applies the ops as usual when the caller does not want the profile back', async () => {
        const set = (value: string): EventOps => ({ eventId: `set-${value}`, ops: [{ kind: 'hash.set', hash: 'profile', field: 'email', value }] });
        const read = await store.apply({ visitor: alice, now: t0, events: [set('a@example.com')] });
        expect(read.profile).toEqual({ email: 'a@example.com' });
        // Without the profile (a store may still return it), the ops apply and report as usual.
        const unread = await store.apply({ visitor: alice, now: t0 + 1, events: [set('b@example.com')], withProfile: false });
        expect(unread.events).toEqual([{ duplicate: false, results: [0] }]);
        expect([{}, { email: 'b@example.com' }]).toContainEqual(unread.profile);
        expect((await store.snapshot(alice)).profile).toEqual({ email: 'b@example.com' });
      });

      it('hash.set overwrites a field', async () => {
        await run(alice, t0, { kind: 'hash.set', hash: 'cart', field: 'sku-1', value: '1' });
        await run(alice, t0 + 1, { kind: 'hash.set', hash: 'cart', field: 'sku-1', value: '3' });
        expect((await store.snapshot(alice)).cart).toEqual({ 'sku-1': '3' });
      });

      it('hash.delete removes one field', async () => {
        await run(
          alice,
          t0,
          { kind: 'hash.set', hash: 'cart', field: 'sku-1', value: '1' },
          { kind: 'hash.set', hash: 'cart', field: 'sku-2', value: '1' },
        );
        await run(alice, t0 + 1, { kind: 'hash.delete', hash: 'cart', field: 'sku-1' });
        expect((await store.snapshot(alice)).cart).toEqual({ 'sku-2': '1' });
      });

      it('hash.clear empties only the named hash', async () => {
        await run(
          alice,
          t0,
          { kind: 'hash.set', hash: 'profile', field: 'email', value: 'a@example.com' },
          { kind: 'hash.set', hash: 'cart', field: 'sku-1', value: '1' },
        );
        await run(alice, t0 + 1, { kind: 'hash.clear', hash: 'cart' });
        expect(await store.snapshot(alice)).toEqual({ profile: { email: 'a@example.com' }, cart: {} });
      });

      it('hash.setIfAbsent sets a field once and reports whether it did', async () => {
        expect(await run(alice, t0, { kind: 'hash.setIfAbsent', hash: 'profile', field: 'first_seen', value: '1' })).toEqual([1]);
        expect(await run(alice, t0 + 1, { kind: 'hash.setIfAbsent', hash: 'profile', field: 'first_seen', value: '2' })).toEqual([0]);
        expect((await store.snapshot(alice)).profile).toEqual({ first_seen: '1' });
      });

      it('hash.copy sets a field to another field\'s value, or removes it when that one has none', async () => {
        await run(alice, t0, { kind: 'hash.set', hash: 'profile', field: 'email', value: 'a@example.com' });
        await run(alice, t0 + 1, { kind: 'hash.copy', hash: 'profile', field: 'consent.email.for', from: 'email' });
        expect((await store.snapshot(alice)).profile).toEqual({ email: 'a@example.com', 'consent.email.for': 'a@example.com' });
        await run(alice, t0 + 2, { kind: 'hash.delete', hash: 'profile', field: 'email' }, { kind: 'hash.copy', hash: 'profile', field: 'consent.email.for', from: 'email' });
        expect((await store.snapshot(alice)).profile).toEqual({});
      });

      it('hash.increment adds to a field and returns the new value', async () => {
        expect(await run(alice, t0, { kind: 'hash.increment', hash: 'cart', field: 'q:sku-1', by: 2 })).toEqual([2]);
        expect(await run(alice, t0 + 1, { kind: 'hash.increment', hash: 'cart', field: 'q:sku-1', by: 3 })).toEqual([5]);
        expect((await store.snapshot(alice)).cart).toEqual({ 'q:sku-1': '5' });
      });

      it('hash.increment removes a field that falls to zero or below', async () => {
        await run(alice, t0, { kind: 'hash.increment', hash: 'cart', field: 'q:sku-1', by: 2 });
        expect(await run(alice, t0 + 1, { kind: 'hash.increment', hash: 'cart', field: 'q:sku-1', by: -5 })).toEqual([0]);
        expect((await store.snapshot(alice)).cart).toEqual({});
      });

      it('apply returns the profile as it is after the frame', async () => {
        await run(alice, t0, { kind: 'hash.set', hash: 'profile', field: 'plan', value: 'free' });
        const result = await store.apply({
          visitor: alice,
          now: t0 + 1,
          events: [
            {
              eventId: 'signup',
              ops: [
                { kind: 'hash.set', hash: 'profile', field: 'email', value: 'a@example.com' },
                { kind: 'hash.delete', hash: 'profile', field: 'plan' },
                { kind: 'hash.set', hash: 'cart', field: 'sku-1', value: '1' },
              ],
            },
          ],
        });
        expect(result.profile).toEqual({ email: 'a@example.com' });
      });

      it('snapshot of a visitor never seen is empty', async () => {
        expect(await store.snapshot({ site: 'shop', visitor: 'nobody' })).toEqual({ profile: {}, cart: {} });
      });
    });

    const harness: WindowStoreHarness = {
      get store() {
        return store;
      },
      get peer() {
        return opened.peer;
      },
      get clock() {
        return clock;
      },
      get t0() {
        return t0;
      },
      run,
    };
    describeTimersAndClaims(harness);
    describeConditionalClaims(harness);
  });
}
