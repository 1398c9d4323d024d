/* The SuppressionList contract: the in-process and Redis lists both pass this suite. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Suppression, SuppressionList } from '../../engine/mailer/index.js';
import { describeSkippedContract } from '../support/skipped-suite.js';

export interface OpenedSuppressionList {
  list: SuppressionList;
  /** A second handle on the same entries (another connection on Redis). */
  peer: SuppressionList;
  close(): Promise<void>;
}

const AT = Date.UTC(2025, 0, 31, 9, 0, 0);

function entry(email: string, reason: Suppression['reason'] = 'unsubscribe', site = 'acme'): Suppression {
  return { site, email, reason, at: AT, detail: 'one-click' };
}

export function describeSuppressionListContract(
  name: string,
  open: () => Promise<OpenedSuppressionList>,
  options: { skip?: string } = {},
): void {
  if (options.skip !== undefined) {
    describeSkippedContract(name, 'SuppressionList', options.skip);
    return;
  }

  describe(`${name}: SuppressionList contract`, () => {
    let opened: OpenedSuppressionList;

    beforeEach(async () => {
      opened = await open();
    });
    afterEach(() => opened.close());

    it('finds an address after it was added, with its reason and when', async () => {
      await opened.list.add(entry('ada@example.test'));

      expect(await opened.peer.find('acme', 'ada@example.test')).toEqual(entry('ada@example.test'));
    });

    it('matches addresses whatever their case and surrounding blanks', async () => {
      await opened.list.add(entry(' Ada@Example.TEST '));

      expect(await opened.peer.find('acme', 'ADA@example.test')).toMatchObject({ email: 'ada@example.test' });
    });

    it('keeps each site its own list', async () => {
      await opened.list.add(entry('ada@example.test', 'unsubscribe', 'acme'));

      expect(await opened.peer.find('other-shop', 'ada@example.test')).toBeUndefined();
    });

    it('keeps the latest reason for an address added twice', async () => {
      await opened.list.add(entry('ada@example.test', 'unsubscribe'));
      await opened.list.add(entry('ada@example.test', 'complaint'));

      expect((await opened.peer.find('acme', 'ada@example.test'))?.reason).toBe('complaint');
      expect(await opened.peer.list('acme')).toHaveLength(1);
    });

    it('lists a site\'s entries by address', async () => {
      await opened.list.add(entry('zoe@example.test', 'bounce'));
      await opened.list.add(entry('ada@example.test', 'complaint'));

      const listed = await opened.peer.list('acme');

      expect(listed.map((item) => [item.email, item.reason])).toEqual([
        ['ada@example.test', 'complaint'],
        ['zoe@example.test', 'bounce'],
      ]);
    });

    it('removes an address, and says whether it was there', async () => {
      await opened.list.add(entry('ada@example.test'));

      expect(await opened.peer.remove('acme', 'ADA@example.test')).toBe(true);
      expect(await opened.peer.remove('acme', 'ada@example.test')).toBe(false);
      expect(await opened.list.find('acme', 'ada@example.test')).toBeUndefined();
    });
  });
}
