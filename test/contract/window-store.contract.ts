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
import type {
  CapCheck,
  DueTimer,
  EventOps,
  GateCheck,
  RetentionPolicy,
  StateOp,
  WindowStore,
} from '../../engine/state/index.js';
import { CLAIM_GRANTED as GRANTED } from '../../engine/state/index.js';

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
const SPAN = 10_000;

export function describeWindowStoreContract(
  name: string,
  open: (setup: WindowStoreSetup) => Promise<OpenedWindowStore>,
  options: WindowStoreContractOptions = {},
): void {
  if (options.skip !== undefined) {
    describe.skip(`${name} (skipped: ${options.skip})`, () => {
      it('meets the WindowStore contract', () => {});
    });
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

    const alice: VisitorRef = { site: 'shop', visitor: 'alice' };
    const bob: VisitorRef = { site: 'shop', visitor: 'bob' };

    /** Applies one event (fresh id) at `now`, returning its op results. */
    async function run(visitor: VisitorRef, now: number, ...ops: StateOp[]): Promise<number[]> {
      clock.set(now);
      const result = await store.apply({ visitor, now, events: [{ eventId: `e${++eventSeq}`, ops }] });
      return result.events[0]!.results;
    }

    function add(key: string, member: string, at: number, span = SPAN): StateOp {
      return { kind: 'window.add', key, member, at, span };
    }

    function count(key: string, at: number, span = SPAN): StateOp {
      return { kind: 'window.count', key, at, span };
    }

    function arm(timer: string, due: number, payload = `payload:${timer}`): StateOp {
      return { kind: 'timer.arm', timer, due, payload };
    }

    function gate(key: string, ttl: number): GateCheck {
      return { kind: 'gate', key, ttl };
    }

    function cap(key: string, limit: number, at: number, member = `m${at}`, span = SPAN): CapCheck {
      return { kind: 'cap', key, limit, span, member, at };
    }

    function names(timers: DueTimer[]): string[] {
      return timers.map((timer) => `${timer.visitor.visitor}/${timer.timer}`);
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

      it('applies an id again once the dedupe horizon has passed', async () => {
        await store.apply({ visitor: alice, now: t0, events: [visit('e-1', t0)] });
        const later = t0 + DEDUPE_HORIZON;
        clock.set(later);
        const result = await store.apply({ visitor: alice, now: later, events: [visit('e-1', later)] });
        expect(result.events[0]!.duplicate).toBe(false);
      });

      it('does not treat the same id from another visitor as a duplicate', async () => {
        await store.apply({ visitor: alice, now: t0, events: [visit('e-1', t0)] });
        const result = await store.apply({ visitor: bob, now: t0, events: [visit('e-1', t0)] });
        expect(result.events[0]!.duplicate).toBe(false);
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

    describe('timers', () => {
      it('does not return a timer before it is due', async () => {
        await run(alice, t0, arm('abandon', t0 + 1000));
        expect(await store.takeDueTimers(t0 + 999, 10)).toEqual([]);
      });

      it('returns a due timer with its visitor, due time and payload', async () => {
        await run(alice, t0, arm('abandon', t0 + 1000, '{"cart":2}'));
        expect(await store.takeDueTimers(t0 + 1000, 10)).toEqual([
          { visitor: alice, timer: 'abandon', due: t0 + 1000, payload: '{"cart":2}' },
        ]);
      });

      it('returns a timer only once', async () => {
        await run(alice, t0, arm('abandon', t0 + 1000));
        await store.takeDueTimers(t0 + 2000, 10);
        expect(await store.takeDueTimers(t0 + 3000, 10)).toEqual([]);
      });

      it('re-arming a timer moves its due time, and it fires once', async () => {
        await run(alice, t0, arm('abandon', t0 + 1000));
        await run(alice, t0 + 500, arm('abandon', t0 + 5000, 'moved'));
        expect(await store.takeDueTimers(t0 + 4999, 10)).toEqual([]);
        expect(await store.takeDueTimers(t0 + 6000, 10)).toEqual([
          { visitor: alice, timer: 'abandon', due: t0 + 5000, payload: 'moved' },
        ]);
        expect(await store.takeDueTimers(t0 + 7000, 10)).toEqual([]);
      });

      it('re-arming a timer earlier than its index entry makes it due at the earlier time', async () => {
        await run(alice, t0, arm('abandon', t0 + 5000));
        expect(await store.takeDueTimers(t0 + 100, 10)).toEqual([]);
        await run(alice, t0 + 200, arm('abandon', t0 + 300));
        expect(names(await store.takeDueTimers(t0 + 300, 10))).toEqual(['alice/abandon']);
      });

      it('still fires a later timer of a visitor whose earlier timer was taken', async () => {
        await run(alice, t0, arm('first', t0 + 100), arm('second', t0 + 5000));
        expect(names(await store.takeDueTimers(t0 + 200, 10))).toEqual(['alice/first']);
        expect(await store.takeDueTimers(t0 + 4999, 10)).toEqual([]);
        expect(names(await store.takeDueTimers(t0 + 5000, 10))).toEqual(['alice/second']);
      });

      it('cancelling by prefix cancels every group of one reminder and nothing else', async () => {
        await run(alice, t0, arm('absence:cat', t0 + 1000), arm('absence:cat:mugs', t0 + 1000), arm('absence:cat:cups', t0 + 1000));
        await run(alice, t0, arm('absence:catalogue', t0 + 1000), arm('journey:cat', t0 + 1000));
        await run(alice, t0 + 1, { kind: 'timer.cancelPrefix', prefix: 'absence:cat' });
        expect(names(await store.takeDueTimers(t0 + 2000, 10)).sort()).toEqual(['alice/absence:catalogue', 'alice/journey:cat']);
      });

      it('cancelling a timer prevents it from firing', async () => {
        await run(alice, t0, arm('abandon', t0 + 1000));
        await run(alice, t0 + 500, { kind: 'timer.cancel', timer: 'abandon' });
        expect(await store.takeDueTimers(t0 + 2000, 10)).toEqual([]);
      });

      it('a cancelled timer armed again fires at its new due time', async () => {
        await run(alice, t0, arm('abandon', t0 + 1000));
        await run(alice, t0 + 100, { kind: 'timer.cancel', timer: 'abandon' });
        await run(alice, t0 + 200, arm('abandon', t0 + 3000));
        expect(await store.takeDueTimers(t0 + 2000, 10)).toEqual([]);
        expect(names(await store.takeDueTimers(t0 + 3000, 10))).toEqual(['alice/abandon']);
      });

      it('returns at most limit timers, earliest first, and leaves the rest for the next call', async () => {
        await run(alice, t0, arm('a1', t0 + 100), arm('a2', t0 + 400));
        await run(bob, t0, arm('b1', t0 + 200), arm('b2', t0 + 300));
        const first = await store.takeDueTimers(t0 + 1000, 2);
        expect(first).toHaveLength(2);
        const second = await store.takeDueTimers(t0 + 1000, 10);
        expect([...names(first), ...names(second)].sort()).toEqual(['alice/a1', 'alice/a2', 'bob/b1', 'bob/b2']);
      });

      it('returns the timers of several visitors ordered by due time', async () => {
        const carol = { site: 'blog', visitor: 'carol' };
        await run(alice, t0, arm('x', t0 + 300));
        await run(bob, t0, arm('y', t0 + 100));
        await run(carol, t0, arm('z', t0 + 200));
        const taken = await store.takeDueTimers(t0 + 1000, 10);
        expect(taken.map((timer) => timer.due)).toEqual([t0 + 100, t0 + 200, t0 + 300]);
        expect(names(taken)).toEqual(['bob/y', 'carol/z', 'alice/x']);
      });

      it('the earliest due timers come first when the limit cuts across visitors', async () => {
        await run(alice, t0, arm('late', t0 + 900));
        await run(bob, t0, arm('early', t0 + 100));
        expect(names(await store.takeDueTimers(t0 + 1000, 1))).toEqual(['bob/early']);
      });

      it('gives each due timer to exactly one of two concurrent takers', async () => {
        const expected: string[] = [];
        for (let v = 0; v < 20; v++) {
          const visitor = { site: 'shop', visitor: `v${v}` };
          const ops = [0, 1, 2].map((n) => arm(`t${n}`, t0 + 10 * v + n));
          await run(visitor, t0, ...ops);
          expected.push(...ops.map((_, n) => `v${v}/t${n}`));
        }
        const takes = await Promise.all(
          [store, opened.peer, store, opened.peer].map((taker) => takeAll(taker, t0 + 1000, 7)),
        );
        const all = takes.flat();
        expect(all.sort()).toEqual(expected.sort());
      });

      async function takeAll(taker: WindowStore, now: number, batch: number): Promise<string[]> {
        const taken: string[] = [];
        for (;;) {
          const timers = await taker.takeDueTimers(now, batch);
          if (timers.length === 0) return taken;
          taken.push(...names(timers));
        }
      }
    });

    describe('claims', () => {
      it('a gate passes once, then holds for its ttl', async () => {
        expect(await store.claim({ visitor: alice, now: t0, claims: [{ checks: [gate('popin', 5000)] }] })).toEqual([
          GRANTED,
        ]);
        expect(
          await store.claim({ visitor: alice, now: t0 + 4999, claims: [{ checks: [gate('popin', 5000)] }] }),
        ).toEqual([0]);
      });

      it('a gate opens again once its ttl has passed', async () => {
        await store.claim({ visitor: alice, now: t0, claims: [{ checks: [gate('popin', 5000)] }] });
        expect(
          await store.claim({ visitor: alice, now: t0 + 5000, claims: [{ checks: [gate('popin', 5000)] }] }),
        ).toEqual([GRANTED]);
      });

      it('a cap grants up to its limit within its span', async () => {
        const granted: number[] = [];
        for (let i = 0; i < 4; i++) {
          const at = t0 + i * 100;
          granted.push(...(await store.claim({ visitor: alice, now: at, claims: [{ checks: [cap('emails', 3, at)] }] })));
        }
        expect(granted).toEqual([GRANTED, GRANTED, GRANTED, 0]);
      });

      it('a cap grants again once its oldest grant is a span old', async () => {
        for (let i = 0; i < 3; i++) {
          const at = t0 + i * 100;
          await store.claim({ visitor: alice, now: at, claims: [{ checks: [cap('emails', 3, at)] }] });
        }
        const at = t0 + SPAN;
        expect(await store.claim({ visitor: alice, now: at, claims: [{ checks: [cap('emails', 3, at)] }] })).toEqual([
          GRANTED,
        ]);
      });

      it('a claim is all-or-nothing: a failing cap leaves its gate untaken, and the outcome names the cap', async () => {
        await store.claim({ visitor: alice, now: t0, claims: [{ checks: [cap('emails', 1, t0)] }] });
        const refused = await store.claim({
          visitor: alice,
          now: t0 + 1,
          claims: [{ checks: [gate('welcome', 60_000), cap('emails', 1, t0 + 1)] }],
        });
        expect(refused).toEqual([1]);
        expect(
          await store.claim({ visitor: alice, now: t0 + 2, claims: [{ checks: [gate('welcome', 60_000)] }] }),
        ).toEqual([GRANTED]);
      });

      it('a refused claim records nothing in its caps', async () => {
        await store.claim({ visitor: alice, now: t0, claims: [{ checks: [gate('welcome', 60_000)] }] });
        await store.claim({
          visitor: alice,
          now: t0 + 1,
          claims: [{ checks: [cap('emails', 1, t0 + 1), gate('welcome', 60_000)] }],
        });
        expect(
          await store.claim({ visitor: alice, now: t0 + 2, claims: [{ checks: [cap('emails', 1, t0 + 2)] }] }),
        ).toEqual([GRANTED]);
      });

      it('claims of one request are tried in order, each seeing the grants before it', async () => {
        const result = await store.claim({
          visitor: alice,
          now: t0,
          claims: [
            { checks: [gate('slot', 60_000), cap('emails', 1, t0, 'first')] },
            { checks: [gate('slot', 60_000)] },
            { checks: [cap('emails', 1, t0, 'third')] },
            { checks: [gate('other', 60_000)] },
          ],
        });
        expect(result).toEqual([GRANTED, 0, 0, GRANTED]);
      });

      it('keeps gates and caps of different visitors apart', async () => {
        await store.claim({ visitor: alice, now: t0, claims: [{ checks: [gate('popin', 5000), cap('emails', 1, t0)] }] });
        expect(
          await store.claim({ visitor: bob, now: t0, claims: [{ checks: [gate('popin', 5000), cap('emails', 1, t0)] }] }),
        ).toEqual([GRANTED]);
      });
    });
  });
}
