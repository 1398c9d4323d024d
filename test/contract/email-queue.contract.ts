/*
 * The mailer store's contract: its EmailQueue (the JobQueue contract, with email jobs) and its
 * SendLedger; the in-process and Redis implementations both pass it. Lease expiry follows the
 * store's own clock, so `passTime` moves it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/events/index.js';
import type { EmailJob, EmailQueue, SendLedger } from '../../engine/mailer/index.js';
import { describeSkippedContract } from '../support/skipped-suite.js';
import { START, describeJobQueueContract } from './job-queue.contract.js';

export interface OpenedMailerStore {
  queue: EmailQueue;
  /** A second handle on the same queue, as a second worker process holds it. */
  peer: EmailQueue;
  ledger: SendLedger;
  peerLedger: SendLedger;
  /** Lets `ms` pass for due times, holds and leases. */
  passTime(ms: number): Promise<void>;
  close(): Promise<void>;
}

export function job(id: string, attempt = 1): EmailJob {
  return {
    id,
    attempt,
    enqueuedAt: START,
    site: 'acme',
    visitor: `v-${id}`,
    scenario: 'cart-abandoned',
    request: {
      triggerId: id,
      scenarioId: 'cart-abandoned',
      site: { key: 'acme', name: 'Acme', from: 'shop@acme.test', publicUrl: 'https://acme.test' },
      visitor: `v-${id}`,
      to: `${id}@example.test`,
      template: 'cart-abandoned',
      context: { cart: [{ id: 'p1', name: 'Trail shoes', price: 49.9, qty: 1 }], cartTotal: 49.9 },
    },
  };
}

export function describeEmailQueueContract(
  name: string,
  open: (clock: ManualClock) => Promise<OpenedMailerStore>,
  options: { skip?: string } = {},
): void {
  describeJobQueueContract(name, 'email jobs', job, open, options);
  if (options.skip !== undefined) {
    describeSkippedContract(name, 'SendLedger', options.skip);
    return;
  }

  describe(`${name}: SendLedger contract`, () => {
    let store: OpenedMailerStore;

    beforeEach(async () => {
      store = await open(new ManualClock(START));
    });
    afterEach(() => store.close());

    it('lets one consumer begin a send and tells the others it is busy until the lease ends', async () => {
      const [mine, theirs] = await Promise.all([store.ledger.begin('t1', 'w1', 60_000), store.peerLedger.begin('t1', 'w2', 60_000)]);

      const states = [mine.state, theirs.state].sort();
      expect(states).toEqual(['acquired', 'busy']);
      const busy = [mine, theirs].find((claim) => claim.state === 'busy');
      expect(busy).toMatchObject({ state: 'busy' });
      expect((busy as { retryInMs: number }).retryInMs).toBeGreaterThan(0);
      expect((busy as { retryInMs: number }).retryInMs).toBeLessThanOrEqual(60_000);
    });

    it('reports a completed send as sent to everyone, for good', async () => {
      await store.ledger.begin('t1', 'w1', 60_000);

      await store.ledger.complete('t1');

      expect(await store.peerLedger.begin('t1', 'w2', 60_000)).toEqual({ state: 'sent' });
      expect(await store.peerLedger.isSent('t1')).toBe(true);
      expect(await store.peerLedger.isSent('t2')).toBe(false);
    });

    it('frees a trigger its holder releases after a failed send', async () => {
      await store.ledger.begin('t1', 'w1', 60_000);

      await store.ledger.release('t1', 'w1');

      expect(await store.peerLedger.begin('t1', 'w2', 60_000)).toEqual({ state: 'acquired' });
    });

    it('ignores a release by a consumer that does not hold the lease', async () => {
      await store.ledger.begin('t1', 'w1', 60_000);

      await store.peerLedger.release('t1', 'w2');

      expect((await store.peerLedger.begin('t1', 'w2', 60_000)).state).toBe('busy');
    });

    it('extends the lease of the consumer that holds it, and of no other', async () => {
      await store.ledger.begin('t1', 'w1', 30);

      expect(await store.ledger.renew('t1', 'w1', 60_000)).toBe(true);
      expect(await store.peerLedger.renew('t1', 'w2', 60_000)).toBe(false);
      await store.passTime(60);

      expect((await store.peerLedger.begin('t1', 'w2', 60_000)).state).toBe('busy');
    });

    it('renews no lease that has ended or whose send is recorded', async () => {
      await store.ledger.begin('t1', 'w1', 30);
      await store.passTime(60);
      expect(await store.ledger.renew('t1', 'w1', 60_000)).toBe(false);

      await store.ledger.begin('t2', 'w1', 60_000);
      await store.ledger.complete('t2');
      expect(await store.ledger.renew('t2', 'w1', 60_000)).toBe(false);
      expect(await store.peerLedger.isSent('t2')).toBe(true);
    });

    it('frees the trigger of a consumer that died holding it once the lease ends', async () => {
      await store.ledger.begin('t1', 'dead-worker', 30);

      await store.passTime(60);

      expect(await store.peerLedger.begin('t1', 'w2', 60_000)).toEqual({ state: 'acquired' });
    });
  });
}
