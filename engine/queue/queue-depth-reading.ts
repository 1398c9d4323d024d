import { withinDeadline } from '../events/index.js';
import type { JobQueue, QueueDepth, QueuedJob } from './job-queue.js';

/** One queue's depth as /healthz and /metrics show it: counted, or unknown and why. */
export type QueueDepthReading = ({ state: 'ok' } & QueueDepth) | { state: 'unknown'; reason: string };

/**
 * Each queue's depth, every count asked to answer within `timeoutMs`. A count that fails or is
 * slow is unknown, never an error: what reads it (a health check, a scrape) must answer on time
 * whatever the queue's Redis does, and the other queues' counts are still shown.
 */
export async function readQueueDepths(queues: Readonly<Record<string, JobQueue<QueuedJob>>>, timeoutMs: number): Promise<Record<string, QueueDepthReading>> {
  const readings = await Promise.all(
    Object.entries(queues).map(async ([name, queue]): Promise<[string, QueueDepthReading]> => {
      try {
        return [name, { state: 'ok', ...(await withinDeadline(queue.depth(), timeoutMs)) }];
      } catch (error) {
        return [name, { state: 'unknown', reason: error instanceof Error ? error.message : String(error) }];
      }
    }),
  );
  return Object.fromEntries(readings);
}
