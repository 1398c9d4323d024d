import { describe, expect, test } from 'vitest';
import { createLogger } from '../observability/index.js';
import type { ClaimedJob, QueuedJob } from './job-queue.js';
import { MemoryJobQueue } from './memory-job-queue.js';
import { QueueWorker } from './queue-worker.js';
import { until } from '../../test/support/eventually.js';

/** A handler whose jobs finish when the test says so. */
function heldJobs() {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const handle = (queue: MemoryJobQueue<QueuedJob>) => async (claimed: ClaimedJob<QueuedJob>) => {
    started.push(claimed.job.id);
    await new Promise<void>((resolve) => finish.set(claimed.job.id, resolve));
    await queue.ack(claimed);
  };
  return { started, finish: (id: string) => finish.get(id)?.(), handle };
}

function workerOn(queue: MemoryJobQueue<QueuedJob>, handle: (claimed: ClaimedJob<QueuedJob>) => Promise<void>, batch: number) {
  // A poll interval no test waits for: only wake-ups may move the worker.
  return new QueueWorker(queue, handle, createLogger('silent'), { label: 'test', consumer: 'w1', reclaimAfterMs: 60_000, pollIntervalMs: 60_000, batch });
}

describe('a queue worker', () => {
  test('takes the jobs queued after a slow one while the slow one is still in hand', async () => {
    const queue = new MemoryJobQueue<QueuedJob>();
    const jobs = heldJobs();
    const worker = workerOn(queue, jobs.handle(queue), 10);
    worker.start();
    await queue.enqueue({ id: 'slow', attempt: 1 });
    worker.wake();
    await until(() => jobs.started.length === 1, 2000);

    await queue.enqueue({ id: 'next', attempt: 1 });
    worker.wake();

    await until(() => jobs.started.length === 2, 2000);
    expect(jobs.started).toEqual(['slow', 'next']);
    jobs.finish('slow');
    jobs.finish('next');
    await worker.stop();
  });

  test('holds at most `batch` jobs, and fills a freed slot without waiting for its poll', async () => {
    const queue = new MemoryJobQueue<QueuedJob>();
    const jobs = heldJobs();
    const worker = workerOn(queue, jobs.handle(queue), 2);
    for (const id of ['a', 'b', 'c']) await queue.enqueue({ id, attempt: 1 });
    worker.start();
    await until(() => jobs.started.length === 2, 2000);
    expect(await queue.depth()).toMatchObject({ ready: 1, held: 2 });

    jobs.finish('a');

    await until(() => jobs.started.length === 3, 2000);
    expect(jobs.started).toEqual(['a', 'b', 'c']);
    jobs.finish('b');
    jobs.finish('c');
    await worker.stop();
  });

  test('finishes the jobs in hand when stopped', async () => {
    const queue = new MemoryJobQueue<QueuedJob>();
    const jobs = heldJobs();
    const worker = workerOn(queue, jobs.handle(queue), 10);
    await queue.enqueue({ id: 'a', attempt: 1 });
    worker.start();
    await until(() => jobs.started.length === 1, 2000);

    const stopped = worker.stop();
    jobs.finish('a');
    await stopped;

    expect(await queue.depth()).toEqual({ ready: 0, held: 0, delayed: 0, dead: 0 });
  });
});
