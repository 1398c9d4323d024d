/*
 * The InterestIndex contract: the in-process and Redis indexes pass this suite.
 *
 * Bounds: an interest noted at `at` is kept while at > now - maxAge (one exactly maxAge old is
 * gone); past maxVisitorsPerProduct the oldest interests go first, ties broken by visitor id.
 * Time is virtual: every call carries `now`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InterestBounds, InterestIndex, InterestQuery, InterestUpdate } from '../../engine/state/index.js';
import { describeSkippedContract } from '../support/skipped-suite.js';

export interface OpenedInterestIndex {
  index: InterestIndex;
  /** A second handle on the same index, as a second engine would hold (its own connection on Redis). */
  peer: InterestIndex;
  close(): Promise<void>;
}

export interface InterestIndexContractOptions {
  skip?: string;
}

const T0 = 1_700_000_000_000;
const MAX_AGE = 30 * 86_400_000;
const BOUNDS: InterestBounds = { maxVisitorsPerProduct: 3, maxAge: MAX_AGE };

const note = (product: string, interest: 'view' | 'cart', at: number): InterestUpdate => ({ kind: 'note', product, interest, at });
const drop = (product: string, interest: 'view' | 'cart'): InterestUpdate => ({ kind: 'drop', product, interest });

export function describeInterestIndexContract(
  name: string,
  open: (bounds: InterestBounds) => Promise<OpenedInterestIndex>,
  options: InterestIndexContractOptions = {},
): void {
  if (options.skip !== undefined) {
    describeSkippedContract(name, 'InterestIndex', options.skip);
    return;
  }

  describe(`${name} meets the InterestIndex contract`, () => {
    let opened: OpenedInterestIndex;
    let index: InterestIndex;
    beforeEach(async () => {
      opened = await open(BOUNDS);
      index = opened.index;
    });
    afterEach(() => opened.close());

    const query = (over: Partial<InterestQuery> = {}): InterestQuery => ({
      site: 'shop',
      product: 'p1',
      interest: 'view',
      since: 0,
      now: T0 + 10_000,
      ...over,
    });
    const visitorsOf = async (over: Partial<InterestQuery> = {}) => (await index.interested(query(over))).map((v) => v.visitor);

    it('lists the visitors who noted an interest, newest first, with the time of their interest', async () => {
      await index.record({ site: 'shop', visitor: 'ann' }, [note('p1', 'view', T0 + 1)], T0 + 1);
      await index.record({ site: 'shop', visitor: 'bob' }, [note('p1', 'view', T0 + 2)], T0 + 2);
      expect(await index.interested(query())).toEqual([
        { visitor: 'bob', at: T0 + 2 },
        { visitor: 'ann', at: T0 + 1 },
      ]);
    });

    it('keeps one entry per visitor, at the time of their latest interest', async () => {
      const ann = { site: 'shop', visitor: 'ann' };
      await index.record(ann, [note('p1', 'view', T0 + 5)], T0 + 5);
      await index.record(ann, [note('p1', 'view', T0 + 9)], T0 + 9);
      expect(await index.interested(query())).toEqual([{ visitor: 'ann', at: T0 + 9 }]);
    });

    it('does not move an interest back in time when an older event arrives late', async () => {
      const ann = { site: 'shop', visitor: 'ann' };
      await index.record(ann, [note('p1', 'view', T0 + 9)], T0 + 9);
      await index.record(ann, [note('p1', 'view', T0 + 5)], T0 + 10);
      expect(await index.interested(query())).toEqual([{ visitor: 'ann', at: T0 + 9 }]);
    });

    it('keeps products, kinds and sites apart', async () => {
      await index.record({ site: 'shop', visitor: 'ann' }, [note('p1', 'view', T0)], T0);
      await index.record({ site: 'shop', visitor: 'bob' }, [note('p1', 'cart', T0)], T0);
      await index.record({ site: 'shop', visitor: 'cat' }, [note('p2', 'view', T0)], T0);
      await index.record({ site: 'other', visitor: 'dan' }, [note('p1', 'view', T0)], T0);
      expect(await visitorsOf()).toEqual(['ann']);
      expect(await visitorsOf({ interest: 'cart' })).toEqual(['bob']);
      expect(await visitorsOf({ product: 'p2' })).toEqual(['cat']);
      expect(await visitorsOf({ site: 'other' })).toEqual(['dan']);
    });

    it('lists only interests noted at or after `since`', async () => {
      await index.record({ site: 'shop', visitor: 'ann' }, [note('p1', 'view', T0 + 1)], T0 + 1);
      await index.record({ site: 'shop', visitor: 'bob' }, [note('p1', 'view', T0 + 2)], T0 + 2);
      expect(await visitorsOf({ since: T0 + 2 })).toEqual(['bob']);
    });

    it('drops a visitor whose interest is over', async () => {
      await index.record({ site: 'shop', visitor: 'ann' }, [note('p1', 'cart', T0)], T0);
      await index.record({ site: 'shop', visitor: 'bob' }, [note('p1', 'cart', T0)], T0);
      await index.record({ site: 'shop', visitor: 'ann' }, [drop('p1', 'cart')], T0 + 1);
      expect(await visitorsOf({ interest: 'cart' })).toEqual(['bob']);
    });

    it("applies one frame's updates in order", async () => {
      await index.record({ site: 'shop', visitor: 'ann' }, [note('p1', 'cart', T0), drop('p1', 'cart')], T0);
      await index.record({ site: 'shop', visitor: 'bob' }, [drop('p1', 'cart'), note('p1', 'cart', T0)], T0);
      expect(await visitorsOf({ interest: 'cart' })).toEqual(['bob']);
    });

    it('forgets the visitors named, and only them', async () => {
      for (const visitor of ['ann', 'bob', 'cat']) await index.record({ site: 'shop', visitor }, [note('p1', 'view', T0)], T0);
      await index.forget('shop', 'p1', 'view', ['ann', 'cat']);
      expect(await visitorsOf()).toEqual(['bob']);
    });

    it('no longer lists an interest exactly maxAge old, and still lists one a millisecond younger', async () => {
      await index.record({ site: 'shop', visitor: 'old' }, [note('p1', 'view', T0)], T0);
      await index.record({ site: 'shop', visitor: 'young' }, [note('p1', 'view', T0 + 1)], T0 + 1);
      expect(await visitorsOf({ now: T0 + MAX_AGE })).toEqual(['young']);
      expect(await visitorsOf({ now: T0 + MAX_AGE + 1 })).toEqual([]);
    });

    it('removes interests past the age bound when the set is written', async () => {
      await index.record({ site: 'shop', visitor: 'old' }, [note('p1', 'view', T0)], T0);
      await index.record({ site: 'shop', visitor: 'new' }, [note('p1', 'view', T0 + MAX_AGE)], T0 + MAX_AGE);
      // Asked as of T0: an index that only filtered at read time would still list "old".
      expect(await visitorsOf({ now: T0 })).toEqual(['new']);
    });

    it('keeps the newest visitors when more than maxVisitorsPerProduct are interested', async () => {
      for (const [i, visitor] of ['v1', 'v2', 'v3', 'v4', 'v5'].entries()) {
        await index.record({ site: 'shop', visitor }, [note('p1', 'view', T0 + i)], T0 + i);
      }
      expect(await visitorsOf()).toEqual(['v5', 'v4', 'v3']);
    });

    it('breaks ties on time by visitor id when trimming to the size bound', async () => {
      for (const visitor of ['d', 'b', 'a', 'c']) await index.record({ site: 'shop', visitor }, [note('p1', 'view', T0)], T0);
      expect(await visitorsOf()).toEqual(['d', 'c', 'b']);
    });

    it('shares its state with a second handle, as engines sharing one store do', async () => {
      await index.record({ site: 'shop', visitor: 'ann' }, [note('p1', 'view', T0)], T0);
      expect((await opened.peer.interested(query())).map((v) => v.visitor)).toEqual(['ann']);
    });
  });
}
