import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { redisForTests } from '../../test/support/redis-server.js';
import { refusal, tripwireCli } from '../../test/support/tripwire-cli.js';
import type { SuppressionList } from '../mailer/index.js';
import { FileSuppressionList } from '../mailer/file/index.js';
import { RedisMailerStore } from '../mailer/redis/index.js';

const run = promisify(execFile);
const redis = await redisForTests();

afterAll(async () => {
  if ('stop' in redis) await redis.stop();
});

/** The list as the engine holds it, beside the command that manages it. */
interface Backend {
  name: string;
  skip?: string;
  /** Environment for the command: the same settings the engine would be started with. */
  env(folder: string): Promise<Record<string, string>>;
  engineList(folder: string): Promise<{ list: SuppressionList; close(): Promise<void> }>;
}

const BACKENDS: Backend[] = [
  {
    name: 'the embedded file (no REDIS_URL)',
    env: async (folder) => ({ TW_DATA_DIR: folder, REDIS_URL: '' }),
    engineList: async (folder) => {
      const list = await FileSuppressionList.open(join(folder, 'suppressions.ndjson'));
      return { list, close: () => list.close() };
    },
  },
  {
    name: 'Redis (REDIS_URL)',
    ...('skip' in redis ? { skip: redis.skip } : {}),
    env: async (folder) => {
      const config = join(folder, 'tripwire.json');
      await writeFile(config, JSON.stringify({ store: { prefix: prefixOf(folder) } }));
      return { TW_DATA_DIR: folder, REDIS_URL: 'url' in redis ? redis.url : '', TW_CONFIG: config };
    },
    engineList: async (folder) => {
      const store = await RedisMailerStore.connect('url' in redis ? redis.url : '', { prefix: prefixOf(folder), cluster: false });
      return { list: store.suppressions, close: () => store.close() };
    },
  },
];

const prefixes = new Map<string, string>();
function prefixOf(folder: string): string {
  if (!prefixes.has(folder)) prefixes.set(folder, `tw-cli-${randomBytes(4).toString('hex')}`);
  return prefixes.get(folder)!;
}

describe.each(BACKENDS)('tripwire mailer suppress/suppressions/unsuppress on $name', (backend) => {
  let folder: string;
  let env: Record<string, string>;
  let opened: { list: SuppressionList; close(): Promise<void> };
  let engine: SuppressionList;

  const tripwire = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'engine/cli/main.ts', 'mailer', ...args], { env: { ...process.env, TW_CONFIG: '', ...env } });

  beforeEach(async () => {
    if (backend.skip !== undefined) return;
    folder = await mkdtemp(join(tmpdir(), 'tripwire-cli-mailer-'));
    env = await backend.env(folder);
    opened = await backend.engineList(folder);
    engine = opened.list;
  });

  afterEach(async () => {
    if (backend.skip !== undefined) return;
    for (const entry of await engine.list('demo')) await engine.remove(entry.site, entry.email);
    await opened.close();
    await rm(folder, { recursive: true, force: true });
  });

  it.skipIf(backend.skip !== undefined)('adds an address the running engine then finds, lists it, and removes it again', async () => {
    const added = await tripwire('suppress', 'demo', 'Ada@Example.test', '--reason', 'complaint');
    expect(added.stdout).toBe('suppressed Ada@Example.test for demo (complaint)\n');
    expect(await engine.find('demo', 'ada@example.test')).toMatchObject({ reason: 'complaint', detail: 'operator' });

    const listed = await tripwire('suppressions', 'demo');
    expect(listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({ site: 'demo', email: 'ada@example.test', reason: 'complaint' }),
    ]);

    const removed = await tripwire('unsuppress', 'demo', 'ada@example.test');
    expect(removed.stdout).toBe('ada@example.test may be emailed by demo again\n');
    expect(await engine.find('demo', 'ada@example.test')).toBeUndefined();
  });

  it.skipIf(backend.skip !== undefined)('lists what the engine suppressed (an unsubscribe link)', async () => {
    await engine.add({ site: 'demo', email: 'zoe@example.test', reason: 'unsubscribe', at: Date.UTC(2026, 0, 1), detail: 'one-click' });
    const listed = await tripwire('suppressions', 'demo');
    expect(JSON.parse(listed.stdout)).toEqual({ site: 'demo', email: 'zoe@example.test', reason: 'unsubscribe', at: '2026-01-01T00:00:00.000Z', detail: 'one-click' });
  });
});

describe('tripwire mailer, given arguments it does not take', () => {
  let folder: string;
  // The list a misused command would change: the file in a data folder of the test's own.
  const failure = async (args: string[]) => {
    const { code, problem } = refusal(await tripwireCli(['mailer', ...args], { REDIS_URL: '', TW_DATA_DIR: folder }));
    return { code, firstLine: problem };
  };
  const suppressed = async () => {
    const list = await FileSuppressionList.open(join(folder, 'suppressions.ndjson'));
    try {
      return await list.list('demo');
    } finally {
      await list.close();
    }
  };

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'tripwire-cli-mailer-misuse-'));
  });

  afterEach(() => rm(folder, { recursive: true, force: true }));

  it('says which command it does not know before the usage, and exits 2', async () => {
    expect(await failure(['dead-letter'])).toEqual({ code: 2, firstLine: 'tripwire mailer: unknown command dead-letter' });
  });

  it('says which reasons a suppression takes before the usage, and exits 2', async () => {
    expect(await failure(['suppress', 'demo', 'ada@example.test', '--reason', 'spam'])).toEqual({
      code: 2,
      firstLine: 'tripwire mailer suppress: --reason is one of unsubscribe, bounce, complaint, not spam',
    });
  });

  it('names a mistyped flag of suppress and suppresses nothing, rather than suppressing for the default reason', async () => {
    expect(await failure(['suppress', 'demo', 'ada@example.test', '--reson', 'bounce'])).toEqual({
      code: 2,
      firstLine: expect.stringMatching(/^tripwire mailer suppress: Unknown option '--reson'/),
    });
    expect(await suppressed()).toEqual([]);
  });

  it('refuses a surplus argument to unsuppress and removes nothing', async () => {
    const list = await FileSuppressionList.open(join(folder, 'suppressions.ndjson'));
    await list.add({ site: 'demo', email: 'ada@example.test', reason: 'bounce', at: Date.UTC(2026, 0, 1), detail: 'test' });
    await list.close();

    expect(await failure(['unsuppress', 'demo', 'ada@example.test', 'grace@example.test'])).toEqual({
      code: 2,
      firstLine: 'tripwire mailer unsuppress: unexpected argument grace@example.test',
    });
    expect(await suppressed()).toEqual([expect.objectContaining({ email: 'ada@example.test' })]);
  });

  it('refuses a surplus argument to suppressions, and exits 2', async () => {
    expect(await failure(['suppressions', 'demo', 'acme'])).toEqual({ code: 2, firstLine: 'tripwire mailer suppressions: unexpected argument acme' });
  });
});
