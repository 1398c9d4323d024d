import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cartJob } from '../support/email-jobs.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';
import { webhookJob } from '../support/webhook-jobs.js';

describe('queue depth on /healthz and /metrics', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    // Workers that looked once at start and not again during the test: the jobs stay where the test puts them.
    engine = await startTestEngine('embedded', undefined, { mailer: { pollInterval: 3_600_000 }, webhooks: { pollInterval: 3_600_000 } });
    await engine.mailer.queue.enqueue(cartJob('m1'));
    await engine.mailer.queue.enqueue(cartJob('m2'));
    await engine.webhooks.queue.enqueue(webhookJob('h1'));
    const [claimed] = await engine.webhooks.queue.claim('operator-test', { max: 1 });
    await engine.webhooks.queue.deadLetter(claimed!, '410 Gone');
  });

  afterAll(async () => {
    await engine?.close();
  });

  test('/healthz shows the jobs of the mail and webhook queues by state', async () => {
    const response = await fetch(`${engine.url}/healthz`);

    expect(response.status).toBe(200);
    expect(((await response.json()) as { queues: unknown }).queues).toEqual({
      mail: { state: 'ok', ready: 2, held: 0, delayed: 0, dead: 0 },
      webhook: { state: 'ok', ready: 0, held: 0, delayed: 0, dead: 1 },
    });
  });

  test('/metrics has a gauge of the jobs of each queue by state, read at the scrape', async () => {
    const text = await (await fetch(`${engine.url}/metrics`)).text();

    expect(text).toContain('tripwire_queue_jobs{queue="mail",state="ready"} 2');
    expect(text).toContain('tripwire_queue_jobs{queue="mail",state="dead"} 0');
    expect(text).toContain('tripwire_queue_jobs{queue="webhook",state="dead"} 1');
    expect(text).toContain('tripwire_queue_jobs{queue="webhook",state="held"} 0');
  });
});
