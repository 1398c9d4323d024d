/*
 * Frames applied during one event-loop turn go to Redis as one script call; these specify what
 * callers see of that: the same results as one call each, and a failure reaching every frame
 * it concerns.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTargetWindowStore, type TargetWindowStore } from '../../../test/support/redis-window-store.js';
import { redisTargets } from '../../../test/support/redis-targets.js';
import type { TripwireError } from '../../errors.js';
import type { VisitorRef } from '../../events/index.js';
import type { StateOp } from '../window-store.js';
import { RedisWindowStore } from './index.js';

const redis = await redisTargets();
afterAll(() => redis.stop());

const retention = { profileTtl: 3_600_000, dedupeHorizon: 60_000 };
const t0 = 1_800_000_000_000;
const SPAN = 60_000;

const visitor = (n: number): VisitorRef => ({ site: 'shop', visitor: `v${n}` });
const view = (at: number): StateOp => ({ kind: 'window.add', key: 'views', member: `m${at}`, at, span: SPAN });

for (const target of redis.targets) {
  // One node gets a turn's frames in one call; a cluster, one call per node: callers see the same.
  const subject = target.cluster ? 'RedisWindowStore on a Redis Cluster, given the frames of one turn,' : 'RedisWindowStore batches the frames of one turn';
  describe.skipIf(target.skip !== undefined)(`${subject}${target.skip === undefined ? '' : ` (skipped: ${target.skip})`}`, () => {
    let store: RedisWindowStore;
    let prefix: string;

    let opened: TargetWindowStore;

    beforeEach(async () => {
      opened = await openTargetWindowStore(target, { retention, batch: { maxItems: 7, maxArgs: 16_384 } });
      ({ store, prefix } = opened);
    });

    afterEach(() => opened.close());

    it('gives each of many visitors applied in one turn its own results', async () => {
      // Visitor n has n views already; 30 frames in one turn span several calls (7 frames each).
      for (let n = 0; n < 30; n++) {
        for (let k = 0; k < n % 4; k++) await store.apply({ visitor: visitor(n), now: t0, events: [{ eventId: `old${k}`, ops: [view(t0 - 100 + k)] }] });
      }
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, n) => store.apply({ visitor: visitor(n), now: t0, events: [{ eventId: 'new', ops: [view(t0)] }] })),
      );
      expect(results.map((result) => result.events[0]!.results[0])).toEqual(Array.from({ length: 30 }, (_, n) => (n % 4) + 1));
      expect(results.every((result) => !result.events[0]!.duplicate)).toBe(true);
    });

    it('keeps each frame to its own keys when frames with conditional claims (one key more) and without share a call', async () => {
      const claims = [{ event: 0, op: 0, equals: 1, atLeast: 1, lane: 'popin', checks: [{ kind: 'gate' as const, key: 'cool', ttl: 60_000 }] }];
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, n) => store.apply({ visitor: visitor(n), now: t0, events: [{ eventId: 'first', ops: [view(t0)] }], ...(n % 2 === 0 ? { claims } : {}) })),
      );
      expect(results.map((result) => result.claims)).toEqual([[-1], [], [-1], [], [-1], []]);
      expect(results.map((result) => result.events[0]!.results[0])).toEqual([1, 1, 1, 1, 1, 1]);
      const gates = await Promise.all(Array.from({ length: 6 }, (_, n) => store.claim({ visitor: visitor(n), now: t0 + 1, claims: [{ checks: claims[0]!.checks }] })));
      expect(gates).toEqual([[0], [-1], [0], [-1], [0], [-1]]);
    });

    it('stores a client string with a lone surrogate as UTF-8 would, without failing its frame or the others', async () => {
      const lone = 'mug\ud800';
      const set: StateOp = { kind: 'hash.set', hash: 'profile', field: 'trait.name', value: lone };
      const [odd, plain] = await Promise.all([
        store.apply({ visitor: visitor(1), now: t0, events: [{ eventId: 'odd', ops: [set] }] }),
        store.apply({ visitor: visitor(2), now: t0, events: [{ eventId: 'plain', ops: [view(t0)] }] }),
      ]);
      expect(odd.profile['trait.name']).toBe('mug\ufffd');
      expect(plain.events[0]!.results).toEqual([1]);
    });

    it('applies two frames of one visitor in one turn in submission order', async () => {
      const [first, second, resent] = await Promise.all([
        store.apply({ visitor: visitor(1), now: t0, events: [{ eventId: 'a', ops: [view(t0)] }] }),
        store.apply({ visitor: visitor(1), now: t0 + 1, events: [{ eventId: 'b', ops: [view(t0 + 1)] }] }),
        store.apply({ visitor: visitor(1), now: t0 + 2, events: [{ eventId: 'a', ops: [view(t0 + 2)] }] }),
      ]);
      expect(first.events[0]!.results).toEqual([1]);
      expect(second.events[0]!.results).toEqual([2]);
      expect(resent.events[0]!.duplicate).toBe(true);
    });

    it('returns each frame the profile as it is after that frame', async () => {
      const set = (value: string): StateOp => ({ kind: 'hash.set', hash: 'profile', field: 'f', value });
      const [first, second] = await Promise.all([
        store.apply({ visitor: visitor(1), now: t0, events: [{ eventId: 'a', ops: [set('1')] }] }),
        store.apply({ visitor: visitor(1), now: t0, events: [{ eventId: 'b', ops: [set('2')] }] }),
      ]);
      expect([first.profile, second.profile]).toEqual([{ f: '1' }, { f: '2' }]);
    });

    it('rejects every frame of a batch whose call fails, as the store being unavailable (the pipeline tells clients so)', async () => {
      const applies = Array.from({ length: 10 }, (_, n) =>
        store.apply({ visitor: visitor(n), now: t0, events: [{ eventId: 'e', ops: [view(t0)] }] }),
      );
      opened.cut();
      const outcomes = await Promise.allSettled(applies);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(Array.from({ length: 10 }, () => 'rejected'));
      expect(outcomes.map((outcome) => outcome.status === 'rejected' && (outcome.reason as TripwireError).code)).toEqual(Array.from({ length: 10 }, () => 'TW_STORE_UNAVAILABLE'));
    });

    it('rejects only the frame the script fails on; the others of its batch apply', async () => {
      // A foreign string where visitor 2's windows should be: reading it fails with WRONGTYPE.
      await opened.set(`${prefix}:{shop:v2}:w`, 'not a window');
      const outcomes = await Promise.allSettled(
        [1, 2, 3].map((n) => store.apply({ visitor: visitor(n), now: t0, events: [{ eventId: 'e', ops: [view(t0)] }] })),
      );
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { code: 'TW_STORE_UNAVAILABLE', message: expect.stringMatching(/WRONGTYPE/) } });
    });

    it('takes every timer armed by the frames of one batch', async () => {
      await Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          store.apply({ visitor: visitor(n), now: t0, events: [{ eventId: 'e', ops: [{ kind: 'timer.arm', timer: 'abandon', due: t0 + 10 + n, payload: `p${n}` }] }] }),
        ),
      );
      const taken = await store.takeDueTimers(t0 + 100, 100);
      expect(taken.map((timer) => timer.payload)).toEqual(Array.from({ length: 20 }, (_, n) => `p${n}`));
    });

    it('offers a visitor arming in two frames of one batch at its earliest due', async () => {
      const arm = (timer: string, due: number): StateOp => ({ kind: 'timer.arm', timer, due, payload: timer });
      await Promise.all([
        store.apply({ visitor: visitor(1), now: t0, events: [{ eventId: 'a', ops: [arm('late', t0 + 50)] }] }),
        store.apply({ visitor: visitor(1), now: t0, events: [{ eventId: 'b', ops: [arm('early', t0 + 10)] }] }),
      ]);
      expect((await store.takeDueTimers(t0 + 10, 10)).map((timer) => timer.timer)).toEqual(['early']);
    });

    it('runs a claim asked in the same turn as an apply after that apply', async () => {
      const applied = store.apply({ visitor: visitor(1), now: t0, events: [{ eventId: 'e', ops: [{ kind: 'window.add', key: 'cap', member: 'x', at: t0, span: SPAN }] }] });
      const claimed = store.claim({ visitor: visitor(1), now: t0, claims: [{ checks: [{ kind: 'cap', key: 'cap', limit: 1, span: SPAN, member: 'y' }] }] });
      await applied;
      expect(await claimed).toEqual([0]);
    });

    it('records the interest updates of many visitors in one turn', async () => {
      const index = store.interestIndex();
      await Promise.all(
        Array.from({ length: 12 }, (_, n) => index.record(visitor(n), [{ kind: 'note', product: 'sku-1', interest: 'view', at: t0 + n }], t0 + n)),
      );
      const interested = await index.interested({ site: 'shop', product: 'sku-1', interest: 'view', since: 0, now: t0 + 20 });
      expect(interested.map((entry) => entry.visitor)).toEqual(Array.from({ length: 12 }, (_, n) => `v${11 - n}`));
    });

    it('rejects every interest record of a batch whose call fails', async () => {
      const index = store.interestIndex();
      const records = [1, 2, 3].map((n) => index.record(visitor(n), [{ kind: 'note', product: 'sku-1', interest: 'view', at: t0 }], t0));
      opened.cut();
      const outcomes = await Promise.allSettled(records);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    });
  });
}
