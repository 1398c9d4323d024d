import { describe, expect, it } from 'vitest';
import type { ManualClock, VisitorRef } from '../../engine/events/index.js';
import type { CapCheck, DueTimer, GateCheck, StateOp, WindowStore } from '../../engine/state/index.js';
import { CLAIM_GRANTED as GRANTED, CLAIM_NOT_TRIED as NOT_TRIED, TIMER_LEASE_MS } from '../../engine/state/index.js';

/** What the WindowStore contract's sections share: the stores under test and a way to apply one event. */
export interface WindowStoreHarness {
  readonly store: WindowStore;
  readonly peer: WindowStore;
  readonly clock: ManualClock;
  readonly t0: number;
  run(visitor: VisitorRef, now: number, ...ops: StateOp[]): Promise<number[]>;
}

export const SPAN = 10_000;

export const alice: VisitorRef = { site: 'shop', visitor: 'alice' };
export const bob: VisitorRef = { site: 'shop', visitor: 'bob' };
export function add(key: string, member: string, at: number, span = SPAN): StateOp {
  return { kind: 'window.add', key, member, at, span };
}
export function count(key: string, at: number, span = SPAN): StateOp {
  return { kind: 'window.count', key, at, span };
}
export function arm(timer: string, due: number, payload = `payload:${timer}`): StateOp {
  return { kind: 'timer.arm', timer, due, payload };
}
export function gate(key: string, ttl: number): GateCheck {
  return { kind: 'gate', key, ttl };
}
export function cap(key: string, limit: number, member: string, span = SPAN): CapCheck {
  return { kind: 'cap', key, limit, span, member };
}
export function names(timers: DueTimer[]): string[] {
  return timers.map((timer) => `${timer.visitor.visitor}/${timer.timer}`);
}

/** The timers and claims half of the WindowStore contract (see window-store.contract.ts). */
export function describeTimersAndClaims(h: WindowStoreHarness): void {
  describe('timers', () => {
    it('does not return a timer before it is due', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 1000));
      expect(await h.store.takeDueTimers(h.t0 + 999, 10)).toEqual([]);
    });

    it('returns a due timer with its visitor, due time, payload and lease end', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 1000, '{"cart":2}'));
      expect(await h.store.takeDueTimers(h.t0 + 1500, 10)).toEqual([
        { visitor: alice, timer: 'abandon', due: h.t0 + 1000, payload: '{"cart":2}', leaseUntil: h.t0 + 1500 + TIMER_LEASE_MS },
      ]);
    });

    it('returns a timer only once', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 1000));
      await h.store.takeDueTimers(h.t0 + 2000, 10);
      expect(await h.store.takeDueTimers(h.t0 + 3000, 10)).toEqual([]);
    });

    it('does not return a taken timer again while its lease runs', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 1000));
      await h.store.takeDueTimers(h.t0 + 1000, 10);
      expect(await h.store.takeDueTimers(h.t0 + 1000 + TIMER_LEASE_MS - 1, 10)).toEqual([]);
    });

    it('returns a taken timer that was never settled again when its lease ends, with its own due time and payload', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 1000, '{"cart":2}'));
      await h.store.takeDueTimers(h.t0 + 1000, 10);
      expect(await h.store.takeDueTimers(h.t0 + 1000 + TIMER_LEASE_MS, 10)).toEqual([
        { visitor: alice, timer: 'abandon', due: h.t0 + 1000, payload: '{"cart":2}', leaseUntil: h.t0 + 1000 + 2 * TIMER_LEASE_MS },
      ]);
    });

    it('hands a timer whose taker died to another engine when the lease ends', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 1000));
      await h.store.takeDueTimers(h.t0 + 1000, 10);
      expect(names(await h.peer.takeDueTimers(h.t0 + 1000 + TIMER_LEASE_MS, 10))).toEqual(['alice/abandon']);
    });

    it('never returns a settled timer again', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 1000));
      await h.store.settleTimers(await h.store.takeDueTimers(h.t0 + 1000, 10));
      expect(await h.store.takeDueTimers(h.t0 + 1000 + TIMER_LEASE_MS, 10)).toEqual([]);
      expect(await h.store.takeDueTimers(h.t0 + 1000 + 10 * TIMER_LEASE_MS, 10)).toEqual([]);
    });

    it('settling a taken timer leaves the timer armed again under its name since', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 1000));
      const taken = await h.store.takeDueTimers(h.t0 + 1000, 10);
      await h.run(alice, h.t0 + 1500, arm('abandon', h.t0 + 3000, 'retry'));
      await h.store.settleTimers(taken);
      expect(await h.store.takeDueTimers(h.t0 + 3000, 10)).toEqual([
        { visitor: alice, timer: 'abandon', due: h.t0 + 3000, payload: 'retry', leaseUntil: h.t0 + 3000 + TIMER_LEASE_MS },
      ]);
    });

    it('keeps two leases of one timer name with different due times apart', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 1000, 'first'));
      await h.store.takeDueTimers(h.t0 + 1000, 10);
      await h.run(alice, h.t0 + 1500, arm('abandon', h.t0 + 2000, 'second'));
      await h.store.settleTimers(await h.peer.takeDueTimers(h.t0 + 2000, 10));
      expect(await h.store.takeDueTimers(h.t0 + 1000 + TIMER_LEASE_MS, 10)).toEqual([
        { visitor: alice, timer: 'abandon', due: h.t0 + 1000, payload: 'first', leaseUntil: h.t0 + 1000 + 2 * TIMER_LEASE_MS },
      ]);
    });

    it('a late settle by an engine whose lease ended does not end the lease another engine took over', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 1000));
      const first = await h.store.takeDueTimers(h.t0 + 1000, 10);
      await h.peer.takeDueTimers(h.t0 + 1000 + TIMER_LEASE_MS, 10);
      await h.store.settleTimers(first);
      expect(names(await h.store.takeDueTimers(h.t0 + 1000 + 2 * TIMER_LEASE_MS, 10))).toEqual(['alice/abandon']);
    });

    it('returns timers whose leases ended among armed ones, earliest due first', async () => {
      await h.run(alice, h.t0, arm('old', h.t0 + 1000));
      await h.store.takeDueTimers(h.t0 + 1000, 10);
      await h.run(bob, h.t0, arm('new', h.t0 + 1000 + TIMER_LEASE_MS - 1));
      expect(names(await h.store.takeDueTimers(h.t0 + 1000 + TIMER_LEASE_MS, 10))).toEqual(['alice/old', 'bob/new']);
    });

    it('a cancel does not reach a timer already taken: its firing was due before the cancel', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 1000));
      await h.store.takeDueTimers(h.t0 + 1000, 10);
      await h.run(alice, h.t0 + 1500, { kind: 'timer.cancel', timer: 'abandon' }, { kind: 'timer.cancelPrefix', prefix: 'abandon' });
      expect(names(await h.store.takeDueTimers(h.t0 + 1000 + TIMER_LEASE_MS, 10))).toEqual(['alice/abandon']);
    });

    it('settling timers of several visitors at once ends each lease', async () => {
      await h.run(alice, h.t0, arm('a1', h.t0 + 100), arm('a2', h.t0 + 200));
      await h.run(bob, h.t0, arm('b1', h.t0 + 300));
      await h.store.settleTimers(await h.store.takeDueTimers(h.t0 + 1000, 10));
      expect(await h.store.takeDueTimers(h.t0 + 1000 + TIMER_LEASE_MS, 10)).toEqual([]);
    });

    it('settling nothing, or a timer never taken, changes nothing', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 1000));
      await h.store.settleTimers([]);
      await h.store.settleTimers([{ visitor: alice, timer: 'abandon', due: h.t0 + 1000, payload: 'payload:abandon', leaseUntil: h.t0 + 1000 + TIMER_LEASE_MS }]);
      expect(names(await h.store.takeDueTimers(h.t0 + 1000, 10))).toEqual(['alice/abandon']);
    });

    it('re-arming a timer moves its due time, and it fires once', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 1000));
      await h.run(alice, h.t0 + 500, arm('abandon', h.t0 + 5000, 'moved'));
      expect(await h.store.takeDueTimers(h.t0 + 4999, 10)).toEqual([]);
      expect(await h.store.takeDueTimers(h.t0 + 6000, 10)).toEqual([
        { visitor: alice, timer: 'abandon', due: h.t0 + 5000, payload: 'moved', leaseUntil: h.t0 + 6000 + TIMER_LEASE_MS },
      ]);
      expect(await h.store.takeDueTimers(h.t0 + 7000, 10)).toEqual([]);
    });

    it('re-arming a timer earlier than its index entry makes it due at the earlier time', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 5000));
      expect(await h.store.takeDueTimers(h.t0 + 100, 10)).toEqual([]);
      await h.run(alice, h.t0 + 200, arm('abandon', h.t0 + 300));
      expect(names(await h.store.takeDueTimers(h.t0 + 300, 10))).toEqual(['alice/abandon']);
    });

    it('still fires a later timer of a visitor whose earlier timer was taken', async () => {
      await h.run(alice, h.t0, arm('first', h.t0 + 100), arm('second', h.t0 + 5000));
      expect(names(await h.store.takeDueTimers(h.t0 + 200, 10))).toEqual(['alice/first']);
      expect(await h.store.takeDueTimers(h.t0 + 4999, 10)).toEqual([]);
      expect(names(await h.store.takeDueTimers(h.t0 + 5000, 10))).toEqual(['alice/second']);
    });

    it('cancelling by prefix cancels every group of one reminder and nothing else', async () => {
      await h.run(alice, h.t0, arm('absence:cat', h.t0 + 1000), arm('absence:cat:mugs', h.t0 + 1000), arm('absence:cat:cups', h.t0 + 1000));
      await h.run(alice, h.t0, arm('absence:catalogue', h.t0 + 1000), arm('journey:cat', h.t0 + 1000));
      await h.run(alice, h.t0 + 1, { kind: 'timer.cancelPrefix', prefix: 'absence:cat' });
      expect(names(await h.store.takeDueTimers(h.t0 + 2000, 10)).sort()).toEqual(['alice/absence:catalogue', 'alice/journey:cat']);
    });

    it('cancelling a timer prevents it from firing', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 1000));
      await h.run(alice, h.t0 + 500, { kind: 'timer.cancel', timer: 'abandon' });
      expect(await h.store.takeDueTimers(h.t0 + 2000, 10)).toEqual([]);
    });

    it('a cancel with dueBy cancels the timer only when it is due at or before dueBy', async () => {
      await h.run(alice, h.t0, arm('early', h.t0 + 1000), arm('edge', h.t0 + 2000), arm('late', h.t0 + 3000));
      await h.run(
        alice,
        h.t0 + 500,
        { kind: 'timer.cancel', timer: 'early', dueBy: h.t0 + 2000 },
        { kind: 'timer.cancel', timer: 'edge', dueBy: h.t0 + 2000 },
        { kind: 'timer.cancel', timer: 'late', dueBy: h.t0 + 2000 },
        { kind: 'timer.cancel', timer: 'never armed', dueBy: h.t0 + 2000 },
      );
      expect(names(await h.store.takeDueTimers(h.t0 + 5000, 10))).toEqual(['alice/late']);
    });

    it('a cancel by prefix with dueBy cancels the reminder\'s groups due at or before dueBy, and nothing else', async () => {
      await h.run(alice, h.t0, arm('absence:cat', h.t0 + 1000), arm('absence:cat:mugs', h.t0 + 3000), arm('absence:cat:cups', h.t0 + 2000));
      await h.run(alice, h.t0, arm('absence:catalogue', h.t0 + 1000));
      await h.run(alice, h.t0 + 1, { kind: 'timer.cancelPrefix', prefix: 'absence:cat', dueBy: h.t0 + 2000 });
      expect(names(await h.store.takeDueTimers(h.t0 + 5000, 10))).toEqual(['alice/absence:catalogue', 'alice/absence:cat:mugs']);
    });

    it('a cancelled timer armed again fires at its new due time', async () => {
      await h.run(alice, h.t0, arm('abandon', h.t0 + 1000));
      await h.run(alice, h.t0 + 100, { kind: 'timer.cancel', timer: 'abandon' });
      await h.run(alice, h.t0 + 200, arm('abandon', h.t0 + 3000));
      expect(await h.store.takeDueTimers(h.t0 + 2000, 10)).toEqual([]);
      expect(names(await h.store.takeDueTimers(h.t0 + 3000, 10))).toEqual(['alice/abandon']);
    });

    it('returns at most limit timers, earliest first, and leaves the rest for the next call', async () => {
      await h.run(alice, h.t0, arm('a1', h.t0 + 100), arm('a2', h.t0 + 400));
      await h.run(bob, h.t0, arm('b1', h.t0 + 200), arm('b2', h.t0 + 300));
      const first = await h.store.takeDueTimers(h.t0 + 1000, 2);
      expect(first).toHaveLength(2);
      const second = await h.store.takeDueTimers(h.t0 + 1000, 10);
      expect([...names(first), ...names(second)].sort()).toEqual(['alice/a1', 'alice/a2', 'bob/b1', 'bob/b2']);
    });

    it('returns the timers of several visitors ordered by due time', async () => {
      const carol = { site: 'blog', visitor: 'carol' };
      await h.run(alice, h.t0, arm('x', h.t0 + 300));
      await h.run(bob, h.t0, arm('y', h.t0 + 100));
      await h.run(carol, h.t0, arm('z', h.t0 + 200));
      const taken = await h.store.takeDueTimers(h.t0 + 1000, 10);
      expect(taken.map((timer) => timer.due)).toEqual([h.t0 + 100, h.t0 + 200, h.t0 + 300]);
      expect(names(taken)).toEqual(['bob/y', 'carol/z', 'alice/x']);
    });

    it('the earliest due timers come first when the limit cuts across visitors', async () => {
      await h.run(alice, h.t0, arm('late', h.t0 + 900));
      await h.run(bob, h.t0, arm('early', h.t0 + 100));
      expect(names(await h.store.takeDueTimers(h.t0 + 1000, 1))).toEqual(['bob/early']);
    });

    it('gives each due timer to exactly one of two concurrent takers', async () => {
      const expected: string[] = [];
      for (let v = 0; v < 20; v++) {
        const visitor = { site: 'shop', visitor: `v${v}` };
        const ops = [0, 1, 2].map((n) => arm(`t${n}`, h.t0 + 10 * v + n));
        await h.run(visitor, h.t0, ...ops);
        expected.push(...ops.map((_, n) => `v${v}/t${n}`));
      }
      const takes = await Promise.all(
        [h.store, h.peer, h.store, h.peer].map((taker) => takeAll(taker, h.t0 + 1000, 7)),
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
      expect(await h.store.claim({ visitor: alice, now: h.t0, claims: [{ checks: [gate('popin', 5000)] }] })).toEqual([
        GRANTED,
      ]);
      expect(
        await h.store.claim({ visitor: alice, now: h.t0 + 4999, claims: [{ checks: [gate('popin', 5000)] }] }),
      ).toEqual([0]);
    });

    it('a gate opens again once its ttl has passed', async () => {
      await h.store.claim({ visitor: alice, now: h.t0, claims: [{ checks: [gate('popin', 5000)] }] });
      expect(
        await h.store.claim({ visitor: alice, now: h.t0 + 5000, claims: [{ checks: [gate('popin', 5000)] }] }),
      ).toEqual([GRANTED]);
    });

    it('a cap grants up to its limit within its span', async () => {
      const granted: number[] = [];
      for (let i = 0; i < 4; i++) {
        const at = h.t0 + i * 100;
        granted.push(...(await h.store.claim({ visitor: alice, now: at, claims: [{ checks: [cap('emails', 3, `m${i}`)] }] })));
      }
      expect(granted).toEqual([GRANTED, GRANTED, GRANTED, 0]);
    });

    it('a cap grants again once its oldest grant is a span old', async () => {
      for (let i = 0; i < 3; i++) {
        const at = h.t0 + i * 100;
        await h.store.claim({ visitor: alice, now: at, claims: [{ checks: [cap('emails', 3, `m${i}`)] }] });
      }
      const at = h.t0 + SPAN;
      expect(await h.store.claim({ visitor: alice, now: at, claims: [{ checks: [cap('emails', 3, 'm3')] }] })).toEqual([
        GRANTED,
      ]);
    });

    it('a claim is all-or-nothing: a failing cap leaves its gate untaken, and the outcome names the cap', async () => {
      await h.store.claim({ visitor: alice, now: h.t0, claims: [{ checks: [cap('emails', 1, 'm0')] }] });
      const refused = await h.store.claim({
        visitor: alice,
        now: h.t0 + 1,
        claims: [{ checks: [gate('welcome', 60_000), cap('emails', 1, 'm1')] }],
      });
      expect(refused).toEqual([1]);
      expect(
        await h.store.claim({ visitor: alice, now: h.t0 + 2, claims: [{ checks: [gate('welcome', 60_000)] }] }),
      ).toEqual([GRANTED]);
    });

    it('a refused claim records nothing in its caps', async () => {
      await h.store.claim({ visitor: alice, now: h.t0, claims: [{ checks: [gate('welcome', 60_000)] }] });
      await h.store.claim({
        visitor: alice,
        now: h.t0 + 1,
        claims: [{ checks: [cap('emails', 1, 'm1'), gate('welcome', 60_000)] }],
      });
      expect(
        await h.store.claim({ visitor: alice, now: h.t0 + 2, claims: [{ checks: [cap('emails', 1, 'm2')] }] }),
      ).toEqual([GRANTED]);
    });

    it('claims of one request are tried in order, each seeing the grants before it', async () => {
      const result = await h.store.claim({
        visitor: alice,
        now: h.t0,
        claims: [
          { checks: [gate('slot', 60_000), cap('emails', 1, 'first')] },
          { checks: [gate('slot', 60_000)] },
          { checks: [cap('emails', 1, 'third')] },
          { checks: [gate('other', 60_000)] },
        ],
      });
      expect(result).toEqual([GRANTED, 0, 0, GRANTED]);
    });

    it('claims of one lane are tried until one is granted; the rest of the lane are not tried', async () => {
      await h.store.claim({ visitor: alice, now: h.t0, claims: [{ checks: [gate('quiet', 60_000)] }] });
      const result = await h.store.claim({
        visitor: alice,
        now: h.t0 + 1,
        claims: [
          { checks: [gate('quiet', 60_000)], lane: 'popin' },
          { checks: [gate('second', 60_000)], lane: 'popin' },
          { checks: [gate('third', 60_000)], lane: 'popin' },
          { checks: [gate('other lane', 60_000)], lane: 'email' },
          { checks: [gate('no lane', 60_000)] },
        ],
      });
      expect(result).toEqual([0, GRANTED, NOT_TRIED, GRANTED, GRANTED]);
      expect(await h.store.claim({ visitor: alice, now: h.t0 + 2, claims: [{ checks: [gate('third', 60_000)] }] })).toEqual([GRANTED]);
    });

    it('keeps gates and caps of different visitors apart', async () => {
      await h.store.claim({ visitor: alice, now: h.t0, claims: [{ checks: [gate('popin', 5000), cap('emails', 1, 'm0')] }] });
      expect(
        await h.store.claim({ visitor: bob, now: h.t0, claims: [{ checks: [gate('popin', 5000), cap('emails', 1, 'm0')] }] }),
      ).toEqual([GRANTED]);
    });
  });
}
