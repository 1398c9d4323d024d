/*
 * The whole engine on a Redis Cluster (REDIS_CLUSTER=true): windows, timers, the catalogue and the
 * mail queue spread over three nodes, events over the tracker socket, mail to a real SMTP server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { identityHmac } from '../../engine/gateway/index.js';
import { redisClusterForTests, removeRedisClusterKeys } from '../support/redis-cluster.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { SocketClient, event } from '../support/socket-client.js';
import { eventually, startTestEngine, type TestEngine } from '../support/test-engine.js';

const cluster = await redisClusterForTests();
if ('url' in cluster) afterAll(() => cluster.stop());

const SCENARIOS = {
  'viewed-3-times.yaml': `id: viewed-3-times
when: { count: { event: product, per: id, atLeast: 3, within: 30m } }
then: { popin: { title: "Still thinking about it?" } }
`,
  'search-left.yaml': `id: search-left
when: { absence: { after: { event: search }, missing: { event: product }, within: 1s } }
then: { popin: { title: "Can we help you find it?" } }
`,
  'cart-mail.yaml': `id: cart-mail
when: { count: { event: cart_add, per: id, atLeast: 1, within: 1m } }
visitor: { identified: true }
then: { email: { template: cart-abandoned, subject: "Your cart at {{ site.name }}" } }
`,
};

describe.skipIf('skip' in cluster)('the engine on a Redis Cluster', () => {
  let engine: TestEngine;
  let smtp: SmtpSink;
  let folder: string;
  const prefix = `tw-cluster-e2e-${process.pid}`;

  beforeAll(async () => {
    const url = 'url' in cluster ? cluster.url : '';
    folder = await mkdtemp(join(tmpdir(), 'tripwire-cluster-'));
    for (const [file, yaml] of Object.entries(SCENARIOS)) await writeFile(join(folder, file), yaml);
    smtp = await startSmtpSink();
    engine = await startTestEngine('embedded', undefined, {
      store: { redisUrl: url, redisCluster: true, prefix },
      email: { smtpUrl: smtp.url },
      scenarios: { dir: folder },
      mailer: { pollInterval: 50 },
    });
  });

  afterAll(async () => {
    await engine?.close();
    await smtp?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
    if ('url' in cluster) await removeRedisClusterKeys(cluster.url, prefix);
  });

  test('reports the Redis store healthy', async () => {
    const health = (await (await fetch(`${engine.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ ok: true, store: { kind: 'redis', state: 'ok' } });
  });

  test('shows a pop-in on the third view of one product', async () => {
    const client = await SocketClient.open(engine.url, 'demo', 'cluster-viewer');
    for (const id of ['v1', 'v2', 'v3']) client.send(JSON.stringify({ b: [event(id, 'product', { id: 'sku-1', name: 'Mug', price: 12 })] }));
    const popin = await client.next((message) => message.k === 'pop');
    client.close();
    expect(popin).toMatchObject({ k: 'pop' });
  });

  test('fires a timer armed by a frame, found through the due index', async () => {
    const client = await SocketClient.open(engine.url, 'demo', 'cluster-searcher');
    client.send(JSON.stringify({ b: [event('s1', 'search', { q: 'kettle' })] }));
    const popin = await client.next((message) => message.k === 'pop', 10_000);
    client.close();
    expect(JSON.stringify(popin)).toContain('Can we help you find it?');
  });

  test('mails an identified visitor through the mail queue on the cluster', async () => {
    const secret = engine.config.sites[0]!.secret;
    const email = 'ada@example.test';
    const client = await SocketClient.open(engine.url, 'demo', 'cluster-buyer');
    client.send(
      JSON.stringify({
        b: [
          event('i1', 'identify', { email, hmac: identityHmac(secret, email), traits: { name: 'Ada' } }),
          event('c1', 'consent', { email: true }),
          event('a1', 'cart_add', { id: 'ethiopia-guji', name: 'Coffee', price: 13.5, qty: 1 }),
        ],
      }),
    );
    await client.next((message) => message.k === 'ack');
    client.close();
    const mail = await eventually(() => smtp.messages.find((message) => JSON.stringify(message.to).includes(email)), 15_000, 'the email');
    expect(mail.subject).toBe('Your cart at Kettle & Kiln');
  });
});
