import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ManualClock, systemClock, type Clock } from '../../events/index.js';
import { createLogger, createMetrics, type EngineMetrics } from '../../observability/index.js';
import { CollectingSink, type WebhookOrder } from '../../pipeline/index.js';
import { MemoryJobQueue } from '../../queue/index.js';
import type { EventSink } from '../../warehouse/index.js';
import { retryAfterMs } from './webhook-answer.js';
import { WebhookChannel } from './webhook-channel.js';
import { WebhookDeliveryLog } from './webhook-delivery-log.js';
import type { WebhookJob } from './webhook-job.js';
import { WebhookWorker } from './webhook-worker.js';
import { verifyWebhookSignature } from './webhook-signature.js';
import { webhookOrder } from '../../../test/support/webhook-jobs.js';

const SECRET = 'shop-secret-0123456789';

interface Received {
  at: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver on a real socket: each request is answered by the next of `answers` (the last repeats). */
let server: Server;
let url: string;
let received: Received[];
let answers: Array<(response: ServerResponse, request: IncomingMessage) => void>;

beforeEach(async () => {
  received = [];
  answers = [];
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ at: Date.now(), headers: request.headers, body });
      const answer = answers[Math.min(received.length, answers.length) - 1] ?? status(200);
      answer(response, request);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/tripwire`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function status(code: number, headers: Record<string, string> = {}) {
  return (response: ServerResponse) => response.writeHead(code, headers).end();
}

/** Ann's VIP-cart trigger, as the pipeline hands it over. */
const order = (triggerId = 'trg-1'): WebhookOrder => webhookOrder(triggerId, url, { variables: { list: 'vip' } });

/** The channel the pipeline hands webhooks to, and a worker posting them, on an in-process queue. */
function channel(options: { attempts?: number; maxRetryDelayMs?: number; pollIntervalMs?: number; clock?: Clock; journal?: Promise<void> } = {}) {
  const clock = options.clock ?? systemClock;
  const sink = new CollectingSink();
  const metrics = createMetrics(new Registry(), false);
  const queue = new MemoryJobQueue<WebhookJob>({ clock });
  const log = new WebhookDeliveryLog(options.journal === undefined ? sink : journaledAt(sink, options.journal), metrics, clock);
  const webhooks = new WebhookChannel({ queue, log, clock });
  const { attempts, maxRetryDelayMs, pollIntervalMs } = options;
  const worker = new WebhookWorker(
    { queue, secrets: new Map([['shop', SECRET]]), log, clock, logger: createLogger('silent') },
    {
      retryDelayMs: 20,
      ...(attempts === undefined ? {} : { attempts }),
      ...(maxRetryDelayMs === undefined ? {} : { maxRetryDelayMs }),
      ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }),
    },
  );
  return { webhooks, worker, queue, sink, metrics };
}

/** The sink with a journal whose append is over once `appended` resolves, as on a stalled disk. */
function journaledAt(rows: CollectingSink, appended: Promise<void>): EventSink {
  return {
    write: (table, row) => rows.write(table, row),
    pressure: false,
    whenWritable: async () => undefined,
    whenDurable: () => appended,
    flush: async () => undefined,
    close: async () => undefined,
  };
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function statuses(sink: CollectingSink): string[] {
  return sink.rows.deliveries.map((row) => `${row.status} ${row.detail}`);
}

async function count(metrics: EngineMetrics, status: string): Promise<number> {
  const values = (await metrics.deliveries.get()).values;
  return values.find((value) => value.labels.channel === 'webhook' && value.labels.status === status)?.value ?? 0;
}

describe('webhook deliveries', () => {
  test.each([400, 401, 403, 404, 410, 422])('a permanent %i is posted once and dead-lettered, with a log and a metric', async (code) => {
    answers = [status(code)];
    const { webhooks, worker, sink, metrics } = channel({ attempts: 3 });
    await webhooks.enqueue(order());
    await worker.drain();
    expect(received).toHaveLength(1);
    expect(statuses(sink)).toEqual([`queued ${url}`, `dead HTTP ${code}: the receiver refused the request, which is not retried`]);
    expect(await count(metrics, 'dead')).toBe(1);
  });

  test.each([408, 500, 502, 503])('a passing %i is tried again until the receiver takes it', async (code) => {
    answers = [status(code), status(200)];
    const { webhooks, worker, sink } = channel({ attempts: 3 });
    await webhooks.enqueue(order());
    await worker.drain();
    expect(received).toHaveLength(2);
    expect(statuses(sink)).toEqual([`queued ${url}`, `retried HTTP ${code}; next try in 20 ms`, 'sent HTTP 200']);
  });

  test('a sent webhook is acked only once its row is in the journal', async () => {
    // Acked, the job is gone: a crash before the append would lose the sent row for good.
    let appended!: () => void;
    const { webhooks, worker, queue, sink } = channel({ journal: new Promise<void>((resolve) => (appended = resolve)) });
    await webhooks.enqueue(order());
    const working = worker.work();
    await eventually(() => (statuses(sink).includes('sent HTTP 200') ? true : undefined), 5_000);
    expect(await queue.depth()).toMatchObject({ ready: 0, held: 1 });
    appended();
    await working;
    expect(await queue.depth()).toMatchObject({ ready: 0, held: 0, dead: 0 });
  });

  test('a connection the receiver drops is tried again', async () => {
    answers = [(response) => response.socket?.destroy(), status(204)];
    const { webhooks, worker, sink } = channel({ attempts: 3 });
    await webhooks.enqueue(order());
    await worker.drain();
    expect(received).toHaveLength(2);
    expect(statuses(sink).at(-1)).toBe('sent HTTP 204');
  });

  test('a 429 is tried again no sooner than its Retry-After', async () => {
    answers = [status(429, { 'Retry-After': '1' }), status(200)];
    const { webhooks, worker, sink } = channel({ attempts: 3 });
    await webhooks.enqueue(order());
    await worker.drain();
    expect(received).toHaveLength(2);
    expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(statuses(sink)).toEqual([`queued ${url}`, 'retried HTTP 429; next try in 1000 ms', 'sent HTTP 200']);
  });

  test('a Retry-After longer than a retry may wait dead-letters the delivery at once', async () => {
    answers = [status(503, { 'Retry-After': '3600' })];
    const { webhooks, worker, sink } = channel({ attempts: 3, maxRetryDelayMs: 60_000 });
    await webhooks.enqueue(order());
    await worker.drain();
    expect(received).toHaveLength(1);
    expect(statuses(sink).at(-1)).toBe('dead HTTP 503: Retry-After 3600 s is longer than the 60 s a webhook retry waits');
  });

  test('a webhook is in the queue, with its row queued, once the pipeline\'s hand-over resolves', async () => {
    const { webhooks, queue, sink } = channel();
    await webhooks.enqueue(order());
    expect(await queue.depth()).toEqual({ ready: 1, held: 0, delayed: 0, dead: 0 });
    expect(statuses(sink)).toEqual([`queued ${url}`]);
    expect(received).toHaveLength(0);
  });

  test('a Retry-After up to the queue\'s longest wait is honoured: the retry waits in the queue until then', async () => {
    answers = [status(503, { 'Retry-After': '3600' }), status(200)];
    const clock = new ManualClock(Date.now());
    const { webhooks, worker, queue, sink } = channel({ attempts: 3, maxRetryDelayMs: 3_600_000, clock });
    await webhooks.enqueue(order());
    await worker.work();
    clock.advance(3_599_000);
    const early = await worker.work();
    clock.advance(1000);
    const due = await worker.work();
    expect([early, due]).toEqual([0, 1]);
    expect(received).toHaveLength(2);
    expect(statuses(sink)).toEqual([`queued ${url}`, 'retried HTTP 503; next try in 3600000 ms', 'sent HTTP 200']);
    expect(await queue.depth()).toEqual({ ready: 0, held: 0, delayed: 0, dead: 0 });
  });

  test('a dead-lettered webhook is kept in the queue\'s dead letters with its reason', async () => {
    answers = [status(410)];
    const { webhooks, worker, queue } = channel({ attempts: 3 });
    await webhooks.enqueue(order());
    await worker.drain();
    const letters = await queue.deadLetters();
    expect(letters.map((letter) => [letter.job.id, letter.job.url, letter.error])).toEqual([['trg-1', url, 'HTTP 410: the receiver refused the request, which is not retried']]);
  });

  test('a running worker posts a retry at its time, not at its next poll', async () => {
    answers = [status(503), status(200)];
    const { webhooks, worker, sink } = channel({ attempts: 3, pollIntervalMs: 60_000 });
    worker.start();
    try {
      await webhooks.enqueue(order());
      worker.wake();
      await eventually(() => (received.length === 2 ? true : undefined), 2000);
      expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(20);
      await eventually(() => (statuses(sink).at(-1) === 'sent HTTP 200' ? true : undefined), 2000);
    } finally {
      await worker.stop();
    }
  });

  test('a retry due in more than 24.8 days (longer than a Node timer waits) arms its wake-up once', async () => {
    // Node sets a longer timer to 1 ms, with a TimeoutOverflowWarning, and an early wake-up is armed again.
    const overflows: unknown[] = [];
    const emitWarning = process.emitWarning;
    process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
      const name = typeof warning === 'string' ? ((rest[0] as { type?: string } | undefined)?.type ?? rest[0]) : warning.name;
      if (name === 'TimeoutOverflowWarning') overflows.push(warning);
      else (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
    }) as typeof process.emitWarning;
    answers = [status(503, { 'Retry-After': String(40 * 86_400) })];
    const { webhooks, worker, queue } = channel({ maxRetryDelayMs: 41 * 86_400_000 });
    worker.start();
    try {
      await webhooks.enqueue(order());
      worker.wake();
      await eventually(async () => ((await queue.depth()).delayed === 1 ? true : undefined), 2000);
      // The handler arms the wake-up right after putting the retry back.
      await new Promise((resolve) => setImmediate(resolve));

      expect(overflows).toEqual([]);
    } finally {
      process.emitWarning = emitWarning;
      await worker.stop();
    }
  });

  test('a receiver slow to answer does not hold back the webhooks queued after it', async () => {
    const held: ServerResponse[] = [];
    answers = [(response) => void held.push(response), status(200)];
    const { webhooks, worker } = channel();
    worker.start();
    try {
      await webhooks.enqueue(order('trg-slow'));
      await eventually(() => (received.length === 1 ? true : undefined), 2000);
      await webhooks.enqueue(order('trg-next'));
      worker.wake();

      await eventually(() => (received.length === 2 ? true : undefined), 2000);
      expect(received.map((delivery) => delivery.headers['x-tripwire-trigger'])).toEqual(['trg-slow', 'trg-next']);
      expect(held).toHaveLength(1);
    } finally {
      for (const response of held) response.writeHead(200).end();
      await worker.stop();
    }
  });

  test('a webhook another engine took over and delivered while this one was posting it is neither dead-lettered nor recorded dead here', async () => {
    const held: ServerResponse[] = [];
    answers = [(response) => void held.push(response)];
    const { webhooks, worker, queue, sink, metrics } = channel({ attempts: 1 });
    worker.start();
    try {
      await webhooks.enqueue(order());
      await eventually(() => (held.length === 1 ? true : undefined), 2000);
      // What an engine reclaiming it after webhooks.reclaimAfter does: takes it over and delivers it.
      const [taken] = await queue.reclaim('other-engine', { max: 1, idleMs: 0 });
      await queue.ack(taken!);
      held[0]!.writeHead(400).end();
    } finally {
      await worker.stop();
    }

    expect(statuses(sink)).toEqual([`queued ${url}`]);
    expect(await queue.deadLetters()).toEqual([]);
    expect(await count(metrics, 'dead')).toBe(0);
  });

  test('a receiver failing every attempt gets the last one, then the delivery is dead-lettered', async () => {
    answers = [status(500)];
    const { webhooks, worker, sink, metrics } = channel({ attempts: 3 });
    await webhooks.enqueue(order());
    await worker.drain();
    expect(received).toHaveLength(3);
    expect(statuses(sink).at(-1)).toBe('dead HTTP 500 after 3 attempts');
    expect(await count(metrics, 'retried')).toBe(2);
  });

  test('Retry-After is read as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});

describe('webhook signatures', () => {
  test('sign the time with the body, so a receiver checks both with the site secret', async () => {
    const { webhooks, worker } = channel();
    await webhooks.enqueue(order());
    await worker.drain();
    const [delivery] = received;
    const header = delivery!.headers['tripwire-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(Math.abs(Number(/^t=(\d+)/.exec(header)![1]) * 1000 - delivery!.at)).toBeLessThan(2000);
    expect(verifyWebhookSignature(SECRET, header, delivery!.body, Date.now())).toBe(true);
    expect(verifyWebhookSignature('another-secret', header, delivery!.body, Date.now())).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, delivery!.body.replace('vip', 'all'), Date.now())).toBe(false);
  });

  test('a captured delivery replayed later than the tolerance no longer verifies', async () => {
    const { webhooks, worker } = channel();
    await webhooks.enqueue(order());
    await worker.drain();
    const [delivery] = received;
    const header = delivery!.headers['tripwire-signature'] as string;
    expect(verifyWebhookSignature(SECRET, header, delivery!.body, Date.now() + 4 * 60_000)).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, delivery!.body, Date.now() + 6 * 60_000)).toBe(false);
    // Moving the time to now breaks the signature: the time is signed with the body.
    const moved = header.replace(/^t=\d+/, `t=${Math.floor((Date.now() + 6 * 60_000) / 1000)}`);
    expect(verifyWebhookSignature(SECRET, moved, delivery!.body, Date.now() + 6 * 60_000)).toBe(false);
  });

  test('each attempt is signed when it is sent', async () => {
    answers = [status(503, { 'Retry-After': '1' }), status(200)];
    const { webhooks, worker } = channel({ attempts: 2 });
    await webhooks.enqueue(order());
    await worker.drain();
    const times = received.map((delivery) => Number(/^t=(\d+)/.exec(delivery.headers['tripwire-signature'] as string)![1]));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1);
  });
});
