/*
 * A frame is acknowledged, and a due timer settled, once its rows are in the warehouse journal,
 * so a crash of the engine after the ack or the settle cannot lose them. When the append fails the
 * rows stay in memory and are stored as usual: a broken disk degrades crash-safety, never ingestion.
 */
import { pbkdf2 } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { TripwireError } from '../errors.js';
import { ManualClock } from '../events/index.js';
import { MemoryWindowStore, TIMER_LEASE_MS } from '../state/index.js';
import type { Candidate } from '../scenarios/index.js';
import { BatchingSink } from '../warehouse/index.js';
import { ChdbWarehouse } from '../warehouse/chdb/index.js';
import { redisForTests } from '../../test/support/redis-server.js';
import { closeTestWindowStore, openTestWindowStore } from '../../test/support/redis-window-store.js';
import { SEARCH_LEFT, T0, pipelineWith, recording, search, frameOf, purchase } from '../../test/support/trigger-pipeline.js';

const redis = await redisForTests();
afterAll(async () => {
  if ('url' in redis) await redis.stop();
});

// libchdb binds one data folder per process.
const chdbFolder = await mkdtemp(join(tmpdir(), 'tw-chdb-journal-'));
afterAll(async () => {
  await rm(chdbFolder, { recursive: true, force: true });
});

const ann = { site: 'shop', visitor: 'ann' };



describe('TriggerPipeline over a journaled warehouse sink', () => {
  let folder: string;
  let warehouse: ChdbWarehouse;
  let sink: BatchingSink;
  const errors: TripwireError[] = [];

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'tw-pipeline-journal-'));
    warehouse = await ChdbWarehouse.open(chdbFolder, { database: `tw_journal_${Math.random().toString(36).slice(2, 10)}` });
    await warehouse.migrate();
  });

  afterEach(async () => {
    await sink.close();
    await warehouse.close();
    errors.length = 0;
    await rm(folder, { recursive: true, force: true });
  });

  function journaledSink(): BatchingSink {
    return new BatchingSink(warehouse, {
      flushIntervalMs: 3_600_000,
      spillDir: join(folder, 'spill'),
      journalDir: join(folder, 'journal'),
      onError: (error) => errors.push(error),
    });
  }

  test('a frame is acknowledged with its rows already in the journal', async () => {
    sink = journaledSink();
    const { pipeline } = pipelineWith(recording([]), new ManualClock(T0), { sink });
    const { frame, outcome } = frameOf([purchase('p1')]);
    await pipeline.process(frame);
    expect(outcome()).toBe('acked');
    const [segment] = await readdir(join(folder, 'journal'));
    const journaled = await readFile(join(folder, 'journal', segment!), 'utf8');
    expect(journaled).toMatch(/^events\t.*"event_id":"p1"/m);
    expect(journaled).toMatch(/^conversions\t.*"order_id":"order-42"/m);
  });

  test('a frame whose journal append fails is acknowledged, and its rows are stored once', async () => {
    // The journal folder's place is taken by a file: the append fails as on a disk that refuses it.
    await writeFile(join(folder, 'journal'), 'not a folder');
    sink = journaledSink();
    const { pipeline } = pipelineWith(recording([]), new ManualClock(T0), { sink });
    const first = frameOf([purchase('p1')]);
    await pipeline.process(first.frame);
    expect(first.outcome()).toBe('acked');
    expect(errors).toContainEqual(expect.objectContaining({ code: 'TW_WAREHOUSE_JOURNAL', message: expect.stringContaining('kept in memory') }));

    await rm(join(folder, 'journal'));
    const resend = frameOf([purchase('p1')]);
    await pipeline.process(resend.frame);
    expect(resend.outcome()).toBe('acked');
    await sink.flush();
    expect(await warehouse.query('SELECT event_id FROM {events}')).toEqual([{ event_id: 'p1' }]);
    expect(await warehouse.query('SELECT order_id FROM {conversions}')).toEqual([{ order_id: 'order-42' }]);
  });

  test('a due timer whose trigger row could not be journaled is settled once its append is over, and its trigger row is stored once', async () => {
    const clock = new ManualClock(T0);
    const store = new MemoryWindowStore(undefined, clock);
    await pipelineWith(recording([]), clock, { store }).pipeline.process(frameOf([search]).frame);
    // The journal folder's place is taken by a file: the timer's append fails as on a full disk.
    await writeFile(join(folder, 'journal'), 'not a folder');
    sink = journaledSink();
    const { pipeline } = pipelineWith(recording([]), clock, { sink, store });
    clock.set(T0 + 120_000);
    await pipeline.fireDueTimers();
    expect(errors).toContainEqual(expect.objectContaining({ code: 'TW_WAREHOUSE_JOURNAL' }));

    await rm(join(folder, 'journal'));
    clock.set(T0 + 120_000 + TIMER_LEASE_MS + 1);
    await pipeline.fireDueTimers();
    await sink.flush();
    expect(await warehouse.query('SELECT scenario_id FROM {triggers}')).toEqual([{ scenario_id: 'search-left' }]);
  });

  test('a scheduled send returns once its trigger row is in the journal', async () => {
    // The scheduler records the send as done when this returns: the row must not be in memory only.
    sink = journaledSink();
    const clock = new ManualClock(T0);
    const store = new MemoryWindowStore(undefined, clock);
    const { pipeline } = pipelineWith(recording([]), clock, { sink, store });
    const candidate: Candidate = {
      scenario: SEARCH_LEFT,
      eventId: `schedule:${T0}`,
      time: T0,
      context: { scenario: { id: SEARCH_LEFT.id, name: SEARCH_LEFT.name }, event: { id: `schedule:${T0}`, type: 'schedule', time: T0, url: '' }, props: {} },
      variant: undefined,
      step: 0,
      claimed: false,
      failures: 0,
    };
    await pipeline.deliverScheduled(ann, [candidate], await store.snapshot(ann));
    const journal = join(folder, 'journal');
    const journaled = readdirSync(journal).map((name) => readFileSync(join(journal, name), 'utf8')).join('');
    expect(journaled).toMatch(/^triggers\t.*"scenario_id":"search-left"/m);
  });

  test('a frame whose journal append failed, resent to the engine started after it, is stored once', async () => {
    // The operator frees the disk and restarts the engine (or the tracker's socket moves to another
    // engine): the resend is a duplicate to the shared store; the first engine stored the rows.
    const clock = new ManualClock(T0);
    const store = new MemoryWindowStore(undefined, clock);
    await writeFile(join(folder, 'journal'), 'not a folder');
    const failed = journaledSink();
    const first = frameOf([purchase('p1')]);
    await pipelineWith(recording([]), clock, { sink: failed, store }).pipeline.process(first.frame);
    expect(first.outcome()).toBe('acked');
    await failed.close();

    await rm(join(folder, 'journal'));
    sink = journaledSink();
    const resend = frameOf([purchase('p1')]);
    await pipelineWith(recording([]), clock, { sink, store }).pipeline.process(resend.frame);
    expect(resend.outcome()).toBe('acked');
    await sink.flush();
    expect(await warehouse.query('SELECT event_id FROM {events}')).toEqual([{ event_id: 'p1' }]);
  });

  test.skipIf(!('url' in redis))('a due timer is settled in Redis only once its trigger row is in the journal', async () => {
    // Settled, the timer is gone for good: an engine killed before the append would lose the
    // trigger row, and no pass would fire the timer again to write it. A slow disk is what makes
    // the append finish after the settle; here the I/O threads are busy, as a disk's stall keeps them.
    const url = 'url' in redis ? redis.url : '';
    const opened = await openTestWindowStore(url, { retention: { profileTtl: 3_600_000, dedupeHorizon: 60_000 } });
    try {
      sink = journaledSink();
      const now = Date.now();
      const clock = new ManualClock(now);
      const { pipeline } = pipelineWith(recording([]), clock, { sink, store: opened.store });
      await pipeline.process(frameOf([{ ...search, time: now, receivedAt: now }]).frame);
      clock.set(now + 120_000);
      const stall = Array.from({ length: 8 }, () => new Promise((resolve) => pbkdf2('disk', 'stall', 400_000, 32, 'sha256', resolve)));
      await pipeline.fireDueTimers();
      const journal = join(folder, 'journal');
      const journaled = readdirSync(journal).map((name) => readFileSync(join(journal, name), 'utf8')).join('');
      await Promise.all(stall);
      expect(await opened.store.takeDueTimers(now + 120_000 + TIMER_LEASE_MS + 1, 10)).toEqual([]);
      expect(journaled).toMatch(/^triggers\t.*"scenario_id":"search-left"/m);
    } finally {
      await closeTestWindowStore(url, opened);
    }
  });
});
