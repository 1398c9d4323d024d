/*
 * A webhook outlives the engine that took it. An engine process is killed (SIGKILL, as an OOM
 * kill or a failed deploy would) after its first attempt failed, or while the attempt is in
 * flight; a second engine sharing its Redis delivers the webhook to a real HTTP receiver.
 * Embedded defaults keep their retries in process: a graceful stop still delivers them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { verifyWebhookSignature } from '../../engine/channels/webhook/index.js';
import { redisWebhookQueue } from '../../engine/channels/webhook/redis/index.js';
import { connectRedis } from '../../engine/redis/index.js';
import { SocketClient, event } from '../support/socket-client.js';
import { engineProcessEnvironment, eventually, serverUrls, startTestEngine, type TestEngine } from '../support/test-engine.js';

const servers = await serverUrls();
const skip = 'skip' in servers ? servers.skip : undefined;
afterAll(async () => {
  if ('stop' in servers) await servers.stop();
});

/** The brief's port range for servers a test starts itself: the killed engine listens here. */
const KILLED_ENGINE_PORT = 65100 + Math.floor(Math.random() * 100);
const SECRET = 'demo-secret-change-me-please';

interface Received {
  trigger: string;
  signature: string;
  body: string;
}

/** A receiver on a real socket: request n is answered by answers[n] (the last repeats); `undefined` never answers. */
class Receiver {
  readonly received: Received[] = [];
  answers: Array<((response: ServerResponse) => void) | undefined> = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        this.received.push({ trigger: String(request.headers['x-tripwire-trigger']), signature: String(request.headers['tripwire-signature']), body });
        const answer = this.answers[Math.min(this.received.length, this.answers.length) - 1];
        answer?.(response);
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function status(code: number, headers: Record<string, string> = {}) {
  return (response: ServerResponse) => response.writeHead(code, headers).end();
}

/** A scenario folder whose one scenario posts every product view to `url`. */
async function hookScenarios(folder: string, url: string): Promise<string> {
  const dir = join(folder, 'scenarios');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'viewed-hook.yaml'),
    stringify({ id: 'viewed-hook', when: { count: { event: 'product', atLeast: 1, within: '30m' } }, then: { webhook: { url, variables: { list: 'vip' } } } }),
  );
  return dir;
}

async function viewProduct(engineUrl: string, visitor: string): Promise<void> {
  const client = await SocketClient.open(engineUrl, 'demo', visitor);
  client.send(JSON.stringify({ b: [event(`${visitor}-view`, 'product', { id: 'ethiopia-guji', name: 'Ethiopia Guji', price: 13.5 })] }));
  await client.acked([`${visitor}-view`]);
  client.close();
}

describe.skipIf(skip !== undefined)(`a webhook whose engine is killed${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let receiver: Receiver;
  let url: string;
  let folder: string;
  let namespace: string;
  let scenariosDir: string;
  let killed: ChildProcess | undefined;
  let survivor: TestEngine | undefined;

  beforeEach(async () => {
    receiver = new Receiver();
    url = await receiver.listen();
    folder = await mkdtemp(join(tmpdir(), 'tripwire-webhook-killed-'));
    namespace = `t${randomBytes(4).toString('hex')}`;
    scenariosDir = await hookScenarios(folder, url);
  });

  afterEach(async () => {
    killed?.kill('SIGKILL');
    killed = undefined;
    await survivor?.close();
    survivor = undefined;
    await receiver.close();
    await rm(folder, { recursive: true, force: true });
  });

  /** An engine in its own process, on the shared Redis and ClickHouse, as a deployment runs several. */
  async function startEngineProcess(): Promise<string> {
    if (!('redisUrl' in servers)) throw new Error('no servers');
    const config = {
      server: { host: '127.0.0.1', port: KILLED_ENGINE_PORT },
      store: { redisUrl: servers.redisUrl, prefix: namespace },
      warehouse: { clickhouseUrl: servers.clickhouseUrl, database: namespace, flushInterval: 100 },
      scenarios: { dir: scenariosDir },
      webhooks: { pollInterval: 50 },
      dataDir: join(folder, 'killed'),
      log: { level: 'error' },
    };
    await writeFile(join(folder, 'tripwire.yaml'), stringify(config));
    killed = fork('engine/cli/main.ts', ['start'], { execArgv: ['--import', 'tsx'], env: engineProcessEnvironment(join(folder, 'tripwire.yaml')), stdio: 'pipe' });
    const engineUrl = `http://127.0.0.1:${KILLED_ENGINE_PORT}`;
    await eventually(async () => ((await fetch(`${engineUrl}/healthz`).catch(() => undefined))?.ok ? true : undefined), 60_000, 'the engine process to serve');
    return engineUrl;
  }

  /** Retries waiting in the shared queue, read as any engine of the deployment reads them. */
  async function waitingRetries(): Promise<number> {
    if (!('redisUrl' in servers)) throw new Error('no servers');
    const client = await connectRedis(servers.redisUrl, { purpose: 'The test' });
    try {
      return (await redisWebhookQueue(client, namespace).depth()).delayed;
    } finally {
      await client.close();
    }
  }

  async function kill(): Promise<void> {
    const exited = new Promise((resolve) => killed!.once('exit', resolve));
    killed!.kill('SIGKILL');
    await exited;
    killed = undefined;
  }

  async function startSurvivor(webhooks: Record<string, unknown>): Promise<TestEngine> {
    survivor = await startTestEngine('servers', servers as { redisUrl: string; clickhouseUrl: string }, {
      store: { prefix: namespace },
      warehouse: { database: namespace },
      scenarios: { dir: scenariosDir },
      webhooks: { pollInterval: 50, ...webhooks },
    });
    return survivor;
  }

  test('after its first attempt failed, the webhook is delivered by another engine, signed and unchanged', async () => {
    receiver.answers = [status(503, { 'Retry-After': '3' }), status(200)];
    const engineUrl = await startEngineProcess();
    await viewProduct(engineUrl, 'visitor-retry');
    await eventually(() => (receiver.received.length === 1 ? true : undefined), 20_000, 'the first attempt');
    // Killed once the 503 has been read and the retry waits in Redis, well before it is due.
    await eventually(async () => ((await waitingRetries()) === 1 ? true : undefined), 5000, 'the retry to wait in Redis');
    await kill();
    const engine = await startSurvivor({});

    await eventually(() => (receiver.received.length === 2 ? true : undefined), 20_000, 'the second attempt, by the other engine');
    const [first, second] = receiver.received;
    expect(second!.trigger).toBe(first!.trigger);
    expect(second!.body).toBe(first!.body);
    expect(verifyWebhookSignature(SECRET, second!.signature, second!.body, Date.now())).toBe(true);
    await eventually(async () => {
      const depth = await engine.webhooks.queue.depth();
      return depth.ready + depth.held + depth.delayed + depth.dead === 0 ? true : undefined;
    }, 5000, 'the delivery to leave the queue');
  });

  test('while its attempt was in flight, the webhook is taken over by another engine once its hold expires', async () => {
    receiver.answers = [undefined, status(200)];
    const engineUrl = await startEngineProcess();
    await viewProduct(engineUrl, 'visitor-in-flight');
    await eventually(() => (receiver.received.length === 1 ? true : undefined), 20_000, 'the first attempt');
    await kill();

    // The shortest hold the config takes: just above the 10 s request timeout.
    const engine = await startSurvivor({ reclaimAfter: '11s' });

    await eventually(() => (receiver.received.length === 2 ? true : undefined), 20_000, 'the attempt of the other engine');
    expect(receiver.received[1]!.trigger).toBe(receiver.received[0]!.trigger);
    await eventually(async () => ((await engine.webhooks.queue.depth()).held === 0 ? true : undefined), 5000, 'the ack');
  });
});

describe('a webhook waiting for its retry on embedded defaults', () => {
  test('is delivered before a graceful stop ends', async () => {
    const receiver = new Receiver();
    const url = await receiver.listen();
    const folder = await mkdtemp(join(tmpdir(), 'tripwire-webhook-stop-'));
    try {
      receiver.answers = [status(503, { 'Retry-After': '1' }), status(200)];
      const engine = await startTestEngine('embedded', undefined, { scenarios: { dir: await hookScenarios(folder, url) } });
      await viewProduct(engine.url, 'visitor-stopping');
      await eventually(() => (receiver.received.length === 1 ? true : undefined), 10_000, 'the first attempt');

      await engine.close();

      expect(receiver.received).toHaveLength(2);
    } finally {
      await receiver.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
