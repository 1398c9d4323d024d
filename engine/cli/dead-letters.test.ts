import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cartJob } from '../../test/support/email-jobs.js';
import { redisForTests, removeRedisKeys } from '../../test/support/redis-server.js';
import { webhookJob } from '../../test/support/webhook-jobs.js';
import { redisWebhookQueue } from '../channels/webhook/redis/index.js';
import { RedisMailerStore } from '../mailer/redis/index.js';
import type { JobQueue, QueuedJob } from '../queue/index.js';
import { connectRedis } from '../redis/index.js';

const run = promisify(execFile);
const redis = await redisForTests();
const redisUrl = 'url' in redis ? redis.url : '';

afterAll(async () => {
  if ('stop' in redis) await redis.stop();
});

/** A queue as the engine holds it on Redis, beside the command that reaches it. */
interface QueueCommand {
  command: 'mailer' | 'webhooks';
  open(prefix: string): Promise<{ queue: JobQueue<QueuedJob>; close(): Promise<void> }>;
  job(id: string): QueuedJob;
  /** What a dead letter's line shows of the job besides id and attempt. */
  shown(id: string): Record<string, unknown>;
}

const COMMANDS: QueueCommand[] = [
  {
    command: 'mailer',
    open: async (prefix) => {
      const store = await RedisMailerStore.connect(redisUrl, { prefix, cluster: false });
      return { queue: store.queue, close: () => store.close() };
    },
    job: (id) => cartJob(id, `${id}@example.test`),
    shown: (id) => ({ site: 'demo', scenario: 'cart-abandoned', to: `${id}@example.test` }),
  },
  {
    command: 'webhooks',
    open: async (prefix) => {
      const client = await connectRedis(redisUrl, { purpose: 'The test' });
      return { queue: redisWebhookQueue(client, prefix), close: () => client.close() };
    },
    job: (id) => webhookJob(id),
    shown: () => ({ site: 'acme', scenario: 'vip-cart', url: 'https://crm.example/hooks/tripwire' }),
  },
];

/** A failed command's exit code and what it wrote, instead of a rejection. */
async function outcome(command: Promise<{ stdout: string; stderr: string }>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    return { code: 0, ...(await command) };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe.each(COMMANDS)('tripwire $command dead-letters', (under) => {
  const skip = 'skip' in redis;
  let folder: string;
  let prefix: string;
  let env: Record<string, string>;
  let opened: { queue: JobQueue<QueuedJob>; close(): Promise<void> };

  const tripwire = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'engine/cli/main.ts', under.command, 'dead-letters', ...args], { env: { ...process.env, ...env } });

  async function deadLetter(id: string, error: string): Promise<void> {
    await opened.queue.enqueue({ ...under.job(id), attempt: 3 });
    const [claimed] = await opened.queue.claim('test', { max: 1 });
    await opened.queue.deadLetter(claimed!, error);
  }

  const deadIds = async () => (await opened.queue.deadLetters()).map((letter) => letter.job.id);

  beforeEach(async () => {
    if (skip) return;
    folder = await mkdtemp(join(tmpdir(), 'tripwire-cli-dead-letters-'));
    prefix = `tw-cli-${randomBytes(4).toString('hex')}`;
    const config = join(folder, 'tripwire.json');
    await writeFile(config, JSON.stringify({ store: { prefix } }));
    env = { TW_DATA_DIR: folder, REDIS_URL: redisUrl, TW_CONFIG: config };
    opened = await under.open(prefix);
  });

  afterEach(async () => {
    if (skip) return;
    await opened.close();
    await removeRedisKeys(redisUrl, prefix);
    await rm(folder, { recursive: true, force: true });
  });

  it.skipIf(skip)('lists each dead letter as one JSON line: id, what it was for, attempt, error and time', async () => {
    await deadLetter('t1', '410 Gone');

    const listed = await tripwire();

    expect(listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([
      { id: 't1', ...under.shown('t1'), attempt: 3, error: '410 Gone', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    ]);
  });

  it.skipIf(skip)('replays one dead letter as a first try', async () => {
    await deadLetter('t1', 'refused');

    expect((await tripwire('--replay', 't1')).stdout).toBe('replayed t1\n');
    expect((await opened.queue.claim('test', { max: 10 })).map((claimed) => [claimed.job.id, claimed.job.attempt])).toEqual([['t1', 1]]);
  });

  it.skipIf(skip)('fails with TW_NOT_FOUND, saying how to list them, for a replay of an unknown id', async () => {
    const failed = await outcome(tripwire('--replay', 'nope'));

    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`TW_NOT_FOUND: no dead letter "nope": list them with \`tripwire ${under.command} dead-letters\``);
  });

  it.skipIf(skip)('replays every dead letter with --all', async () => {
    await deadLetter('t1', 'refused');
    await deadLetter('t2', 'refused');

    expect((await tripwire('--all')).stdout).toBe('replayed 2 of 2 dead letters\n');
    expect(await deadIds()).toEqual([]);
    expect(await opened.queue.depth()).toMatchObject({ ready: 2 });
  });

  it.skipIf(skip)('removes one dead letter with --purge, without replaying it', async () => {
    await deadLetter('t1', 'refused');
    await deadLetter('t2', 'refused');

    expect((await tripwire('--purge', 't1')).stdout).toBe('removed t1\n');
    expect(await deadIds()).toEqual(['t2']);
    expect(await opened.queue.depth()).toMatchObject({ ready: 0, dead: 1 });
  });

  it.skipIf(skip)('removes every dead letter with --purge --all', async () => {
    await deadLetter('t1', 'refused');
    await deadLetter('t2', 'refused');

    expect((await tripwire('--purge', '--all')).stdout).toBe('removed 2 dead letters\n');
    expect(await opened.queue.depth()).toEqual({ ready: 0, held: 0, delayed: 0, dead: 0 });
  });

  /** What no engine writes: a dead letter that is not JSON. */
  async function garbledDeadLetter(id: string): Promise<void> {
    const admin = createClient({ url: redisUrl });
    await admin.connect();
    try {
      await admin.hSet(`${prefix}:${under.command === 'mailer' ? 'mail' : 'webhook'}:dead`, id, 'not json');
    } finally {
      await admin.close();
    }
  }

  it.skipIf(skip)('lists the readable dead letters beside one it cannot read, without calling Redis unavailable', async () => {
    await deadLetter('t1', '410 Gone');
    await garbledDeadLetter('garbled');

    const listed = await outcome(tripwire());

    expect(listed.stderr).not.toContain('TW_STORE_UNAVAILABLE');
    expect(listed.stdout).toContain('"id":"t1"');
  });

  it.skipIf(skip)('refuses a flag where a trigger id belongs, with the usage, rather than looking the flag up as an id', async () => {
    const failed = await outcome(tripwire('--replay', '--all'));

    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('dead-letters --replay <trigger-id>');
  });

  it.skipIf(skip)('names a dead letter it cannot read, and how to remove it', async () => {
    await deadLetter('t1', '410 Gone');
    await garbledDeadLetter('garbled');

    const listed = await tripwire();

    expect(listed.stderr).toContain(`dead letter "garbled" cannot be read`);
    expect(listed.stderr).toContain(`tripwire ${under.command} dead-letters --purge garbled`);
  });

  it.skipIf(skip)('replays the readable dead letters with --all and says how many it could not read', async () => {
    await deadLetter('t1', 'refused');
    await garbledDeadLetter('garbled');

    const replayed = await tripwire('--all');

    expect(replayed.stdout).toBe('replayed 1 of 1 dead letters; 1 could not be read\n');
    expect(await opened.queue.depth()).toMatchObject({ ready: 1, dead: 1 });
  });

  it.skipIf(skip)('fails with TW_DEAD_LETTER_UNREADABLE for a replay of a dead letter it cannot read', async () => {
    await garbledDeadLetter('garbled');

    const failed = await outcome(tripwire('--replay', 'garbled'));

    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('TW_DEAD_LETTER_UNREADABLE: dead letter "garbled"');
  });

  it.skipIf(skip)('refuses --purge --replay, a flag where a trigger id belongs, with the usage', async () => {
    const failed = await outcome(tripwire('--purge', '--replay'));

    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('dead-letters --purge <trigger-id>');
  });

  it.skipIf(skip)('says what was wrong before the usage: --replay without a trigger id', async () => {
    const failed = await outcome(tripwire('--replay'));

    expect(failed.code).toBe(2);
    expect(failed.stderr.split('\n')[0]).toBe(`tripwire ${under.command} dead-letters: --replay needs a trigger id; list them with \`tripwire ${under.command} dead-letters\``);
  });

  it.skipIf(skip)('prints the usage on stdout and exits 0 for --help', async () => {
    const help = await tripwire('--help');

    expect(help.stdout).toContain('dead-letters --replay <trigger-id>');
  });

  it.skipIf(skip)('refuses without REDIS_URL, saying the queue is reachable on Redis only', async () => {
    env = { ...env, REDIS_URL: '' };

    const failed = await outcome(tripwire());

    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(new RegExp(`TW_CONFIG_INVALID: tripwire ${under.command} dead-letters needs the (mail|webhook) queue on Redis: set REDIS_URL`));
  });
});
