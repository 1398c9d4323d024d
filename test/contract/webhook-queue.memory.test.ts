import type { WebhookJob } from '../../engine/channels/webhook/index.js';
import { MemoryJobQueue } from '../../engine/queue/index.js';
import { webhookJob } from '../support/webhook-jobs.js';
import { describeJobQueueContract } from './job-queue.contract.js';

describeJobQueueContract('in-process webhook queue', 'webhook jobs', webhookJob, async (clock) => {
  const queue = new MemoryJobQueue<WebhookJob>({ clock });
  return { queue, peer: queue, passTime: async (ms) => clock.advance(ms), close: () => queue.close() };
});
