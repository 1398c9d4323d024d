/*
 * The JobQueue contract: the in-process and Redis implementations both pass this suite, once
 * per job type they carry (emails, webhooks). Due times of retries follow the injected clock;
 * how long a job has been held (for reclaim) follows the store's own clock, so `passTime`
 * moves both.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/events/index.js';
import { createLogger } from '../../engine/observability/index.js';
import { QueueWorker, type ClaimedJob, type JobQueue, type QueuedJob, type ReclaimOptions } from '../../engine/queue/index.js';
import { describeSkippedContract } from '../support/skipped-suite.js';
import { until } from '../support/eventually.js';

export interface OpenedJobQueue<J extends QueuedJob> {
  queue: JobQueue<J>;
  /** A second handle on the same queue, as a second worker process holds it. */
  peer: JobQueue<J>;
  /** Lets `ms` pass for due times and holds. */
  passTime(ms: number): Promise<void>;
  close(): Promise<void>;
}

export const START = Date.UTC(2025, 0, 31, 9, 0, 0);
const HOUR = 3_600_000;

/** A worker whose jobs finish when the test says so; a poll interval no test waits for, so only wake-ups move it. */
function workerWithHeldJobs<J extends QueuedJob>(queue: JobQueue<J>, reclaimAfterMs: number) {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const handle = async (claimed: ClaimedJob<J>) => {
    started.push(claimed.job.id);
    await new Promise<void>((resolve) => finish.set(`${claimed.job.id}#${started.length}`, resolve));
    await queue.ack(claimed);
  };
  const worker = new QueueWorker(queue, handle, createLogger('silent'), { label: 'test', consumer: 'w1', reclaimAfterMs, pollIntervalMs: 60_000, batch: 10 });
  return {
    worker,
    started,
    finishAll: () => {
      for (const resolve of finish.values()) resolve();
    },
  };
}

/** The queue, whose first reclaim fails as a dropped connection would. */
function failingFirstReclaim<J extends QueuedJob>(queue: JobQueue<J>): JobQueue<J> {
  let failed = false;
  return new Proxy(queue, {
    get(target, property, receiver) {
      if (property === 'reclaim') {
        return (consumer: string, options: ReclaimOptions) => {
          if (failed) return target.reclaim(consumer, options);
          failed = true;
          return Promise.reject(new Error('Socket closed unexpectedly'));
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function describeJobQueueContract<J extends QueuedJob>(
  name: string,
  label: string,
  jobOf: (id: string, attempt?: number) => J,
  open: (clock: ManualClock) => Promise<OpenedJobQueue<J>>,
  options: { skip?: string } = {},
): void {
  if (options.skip !== undefined) {
    describeSkippedContract(name, `JobQueue (${label})`, options.skip);
    return;
  }

  describe(`${name}: JobQueue contract (${label})`, () => {
    let clock: ManualClock;
    let store: OpenedJobQueue<J>;

    beforeEach(async () => {
      clock = new ManualClock(START);
      store = await open(clock);
    });
    afterEach(() => store.close());

    it('hands jobs out in the order they were enqueued, up to the number asked for', async () => {
      for (const id of ['a', 'b', 'c']) await store.queue.enqueue(jobOf(id));

      const first = await store.queue.claim('w1', { max: 2 });
      const second = await store.queue.claim('w1', { max: 2 });

      expect(first.map((claimed) => claimed.job.id)).toEqual(['a', 'b']);
      expect(second.map((claimed) => claimed.job.id)).toEqual(['c']);
    });

    it('gives a job to one consumer only, even across connections', async () => {
      await store.queue.enqueue(jobOf('a'));

      const [mine, theirs] = await Promise.all([store.queue.claim('w1', { max: 10 }), store.peer.claim('w2', { max: 10 })]);

      expect([...mine, ...theirs].map((claimed) => claimed.job.id)).toEqual(['a']);
    });

    it('keeps the whole job, request and context included', async () => {
      await store.queue.enqueue(jobOf('a'));

      const [claimed] = await store.peer.claim('w2', { max: 1 });

      expect(claimed?.job).toEqual(jobOf('a'));
      expect(claimed?.consumer).toBe('w2');
    });

    it('forgets an acked job', async () => {
      await store.queue.enqueue(jobOf('a'));
      const [claimed] = await store.queue.claim('w1', { max: 1 });

      await store.queue.ack(claimed!);

      expect(await store.queue.depth()).toEqual({ ready: 0, held: 0, delayed: 0, dead: 0 });
      expect(await store.peer.reclaim('w2', { max: 10, idleMs: 0 })).toEqual([]);
    });

    it('counts jobs ready, held, delayed and dead', async () => {
      for (const id of ['a', 'b', 'c', 'd']) await store.queue.enqueue(jobOf(id));
      const [a, b] = await store.queue.claim('w1', { max: 2 });
      await store.queue.retryLater(a!, jobOf('a', 2), START + HOUR);
      await store.queue.claim('w1', { max: 1 });
      await store.queue.deadLetter(b!, 'refused');

      expect(await store.peer.depth()).toEqual({ ready: 1, held: 1, delayed: 1, dead: 1 });
    });

    it('counts a queue nothing was ever enqueued to as empty', async () => {
      expect(await store.peer.depth()).toEqual({ ready: 0, held: 0, delayed: 0, dead: 0 });
    });

    it('leaves a held job with its consumer until it has been idle long enough', async () => {
      await store.queue.enqueue(jobOf('a'));
      await store.queue.claim('w1', { max: 1 });

      expect(await store.peer.claim('w2', { max: 10 })).toEqual([]);
      expect(await store.peer.reclaim('w2', { max: 10, idleMs: HOUR })).toEqual([]);
    });

    it('hands the job of a consumer that went silent to the one reclaiming it', async () => {
      await store.queue.enqueue(jobOf('a'));
      await store.queue.claim('dead-worker', { max: 1 });
      await store.passTime(50);

      const reclaimed = await store.peer.reclaim('w2', { max: 10, idleMs: 20 });

      expect(reclaimed.map((claimed) => [claimed.job.id, claimed.consumer])).toEqual([['a', 'w2']]);
      await store.peer.ack(reclaimed[0]!);
      expect(await store.queue.depth()).toMatchObject({ held: 0, ready: 0 });
    });

    it('holds a retried job back until its due time, then hands it out as the next attempt', async () => {
      await store.queue.enqueue(jobOf('a'));
      const [claimed] = await store.queue.claim('w1', { max: 1 });

      await store.queue.retryLater(claimed!, jobOf('a', 2), START + 60_000);
      const early = await store.peer.claim('w2', { max: 10 });
      clock.advance(60_000);
      const due = await store.peer.claim('w2', { max: 10 });

      expect(early).toEqual([]);
      expect(due.map((next) => [next.job.id, next.job.attempt])).toEqual([['a', 2]]);
    });

    it('hands a retry out behind the jobs already waiting when its time comes, as a new job', async () => {
      await store.queue.enqueue(jobOf('a'));
      const [claimed] = await store.queue.claim('w1', { max: 1 });
      await store.queue.retryLater(claimed!, jobOf('a', 2), START + 1000);
      await store.queue.enqueue(jobOf('b'));
      await store.queue.enqueue(jobOf('c'));
      clock.advance(1000);

      const next = await store.peer.claim('w2', { max: 10 });

      expect(next.map((claimed) => [claimed.job.id, claimed.job.attempt])).toEqual([['b', 1], ['c', 1], ['a', 2]]);
    });

    it('says it moved a held job to a retry or to the dead letters', async () => {
      await store.queue.enqueue(jobOf('a'));
      await store.queue.enqueue(jobOf('b'));
      const [a, b] = await store.queue.claim('w1', { max: 2 });

      expect(await store.queue.retryLater(a!, jobOf('a', 2), START + HOUR)).toBe(true);
      expect(await store.queue.deadLetter(b!, 'refused')).toBe(true);
    });

    it('ignores a retry or a dead letter for a job no longer held, and says so', async () => {
      await store.queue.enqueue(jobOf('a'));
      const [claimed] = await store.queue.claim('w1', { max: 1 });
      await store.queue.ack(claimed!);

      expect(await store.queue.retryLater(claimed!, jobOf('a', 2), START)).toBe(false);
      expect(await store.queue.deadLetter(claimed!, 'late')).toBe(false);

      expect(await store.queue.depth()).toEqual({ ready: 0, held: 0, delayed: 0, dead: 0 });
      expect(await store.queue.claim('w1', { max: 10 })).toEqual([]);
    });

    it('keeps dead letters with their error, oldest first, for an operator', async () => {
      await store.queue.enqueue(jobOf('a'));
      await store.queue.enqueue(jobOf('b'));
      const [a, b] = await store.queue.claim('w1', { max: 2 });

      await store.queue.deadLetter(b!, '550 no such user');
      clock.advance(1000);
      await store.queue.deadLetter(a!, '554 rejected');

      const letters = await store.peer.deadLetters();
      expect(letters.map((letter) => [letter.job.id, letter.error, letter.at])).toEqual([
        ['b', '550 no such user', START],
        ['a', '554 rejected', START + 1000],
      ]);
      expect(await store.queue.claim('w1', { max: 10 })).toEqual([]);
    });

    it('replays a dead letter once, as a first attempt', async () => {
      await store.queue.enqueue(jobOf('a', 5));
      const [claimed] = await store.queue.claim('w1', { max: 1 });
      await store.queue.deadLetter(claimed!, 'timeout');

      const replays = await Promise.all([store.queue.replay('a'), store.peer.replay('a')]);
      const again = await store.queue.claim('w1', { max: 10 });

      expect(replays.filter(Boolean)).toHaveLength(1);
      expect(again.map((next) => [next.job.id, next.job.attempt])).toEqual([['a', 1]]);
      expect(await store.queue.deadLetters()).toEqual([]);
    });

    it('answers false to a replay of an unknown dead letter', async () => {
      expect(await store.queue.replay('nope')).toBe(false);
    });

    it('trims no more dead letters in a call than the number asked for', async () => {
      for (const id of ['a', 'b', 'c', 'd']) await store.queue.enqueue(jobOf(id));
      for (const claimed of await store.queue.claim('w1', { max: 4 })) {
        await store.queue.deadLetter(claimed, 'refused');
        clock.advance(1000);
      }

      expect(await store.peer.trimDeadLetters(START + 2500, 2)).toBe(2);
      expect(await store.queue.depth()).toMatchObject({ dead: 2 });
    });

    it('trims every dead letter dead-lettered before a time, and keeps the younger', async () => {
      for (const id of ['a', 'b', 'c', 'd']) await store.queue.enqueue(jobOf(id));
      for (const claimed of await store.queue.claim('w1', { max: 4 })) {
        await store.queue.deadLetter(claimed, 'refused');
        clock.advance(1000);
      }

      expect(await store.peer.trimDeadLetters(START + 2500, 10)).toBe(3);
      expect((await store.queue.deadLetters()).map((letter) => letter.job.id)).toEqual(['d']);
    });

    it('purges every dead letter, as an operator clearing them, and says how many', async () => {
      for (const id of ['a', 'b']) await store.queue.enqueue(jobOf(id));
      for (const claimed of await store.queue.claim('w1', { max: 2 })) await store.queue.deadLetter(claimed, 'refused');

      expect(await store.queue.purgeDeadLetters()).toBe(2);
      expect(await store.queue.depth()).toEqual({ ready: 0, held: 0, delayed: 0, dead: 0 });
    });

    it('keeps a job dead-lettered again after its replay until its new time is past', async () => {
      await store.queue.enqueue(jobOf('a'));
      const [first] = await store.queue.claim('w1', { max: 1 });
      await store.queue.deadLetter(first!, 'timeout');
      await store.queue.replay('a');
      clock.advance(HOUR);
      const [again] = await store.queue.claim('w1', { max: 1 });
      await store.queue.deadLetter(again!, 'timeout again');

      expect(await store.queue.trimDeadLetters(START + 1000, 10)).toBe(0);
      expect((await store.queue.deadLetters()).map((letter) => [letter.job.id, letter.at])).toEqual([['a', START + HOUR]]);
    });

    it('discards a dead letter without replaying it, once', async () => {
      await store.queue.enqueue(jobOf('a'));
      const [claimed] = await store.queue.claim('w1', { max: 1 });
      await store.queue.deadLetter(claimed!, 'refused');

      expect(await store.peer.discardDeadLetter('a')).toBe(true);
      expect(await store.queue.discardDeadLetter('a')).toBe(false);
      expect(await store.queue.depth()).toEqual({ ready: 0, held: 0, delayed: 0, dead: 0 });
      expect(await store.queue.replay('a')).toBe(false);
    });

    it('lets a worker remove the dead letters past its retention, and keep the younger ones', async () => {
      for (const id of ['old', 'young']) await store.queue.enqueue(jobOf(id));
      const [old, young] = await store.queue.claim('w1', { max: 2 });
      await store.queue.deadLetter(old!, 'refused');
      clock.advance(HOUR);
      await store.queue.deadLetter(young!, 'refused');
      clock.advance(1);
      const worker = new QueueWorker(store.queue, (claimed) => store.queue.ack(claimed), createLogger('silent'), {
        label: 'test',
        consumer: 'w1',
        reclaimAfterMs: HOUR,
        pollIntervalMs: 60_000,
        batch: 10,
        deadLetterRetentionMs: HOUR,
        clock,
      });

      worker.start();
      await until(async () => (await store.queue.depth()).dead === 1, 5000);
      await worker.stop();

      expect((await store.queue.deadLetters()).map((letter) => letter.job.id)).toEqual(['young']);
    });

    it('lets a worker keep a job it is still handling, however long it holds it', async () => {
      const { worker, started, finishAll } = workerWithHeldJobs(store.queue, 200);
      await store.queue.enqueue(jobOf('slow'));
      worker.start();
      await until(() => started.length === 1, 5000);
      await store.passTime(300);

      // The take that claims `next` reclaims too, and `slow` has been held past reclaimAfterMs.
      await store.queue.enqueue(jobOf('next'));
      worker.wake();
      await until(() => started.length === 2, 5000);

      expect(started).toEqual(['slow', 'next']);
      finishAll();
      await worker.stop();
      expect(await store.queue.depth()).toEqual({ ready: 0, held: 0, delayed: 0, dead: 0 });
    });

    it('lets a worker handle the jobs it claimed when the reclaim right after fails', async () => {
      const queue = failingFirstReclaim(store.queue);
      const { worker, started, finishAll } = workerWithHeldJobs(queue, HOUR);
      await queue.enqueue(jobOf('a'));
      worker.start();

      await until(() => started.length === 1, 5000);

      expect(started).toEqual(['a']);
      finishAll();
      await worker.stop();
      expect(await store.queue.depth()).toEqual({ ready: 0, held: 0, delayed: 0, dead: 0 });
    });
  });
}
