import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { TripwireError } from '../errors.js';
import { JOURNAL_HEADER, journalLine } from './journal-segment.js';
import { RowJournal, type JournalHold, type RowJournalOptions } from './row-journal.js';
import type { DeliveryRow, WarehouseTable } from './rows.js';
import { SpillFolder } from './spill-folder.js';

function delivery(id: string): DeliveryRow {
  return { delivery_id: id, trigger_id: 't', site: 'demo', visitor_id: 'v', scenario_id: 's', channel: 'popin', status: 'shown', detail: '', time: 1 };
}

describe('RowJournal', () => {
  let folder: string;
  const appends: Array<{ tables: readonly WarehouseTable[]; rows: number; segment: JournalHold }> = [];
  const errors: TripwireError[] = [];
  const notJournaled: WarehouseTable[] = [];
  const appendSeconds: number[] = [];
  const warnings: string[] = [];

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'tw-row-journal-'));
  });
  afterEach(async () => {
    appends.length = 0;
    errors.length = 0;
    notJournaled.length = 0;
    appendSeconds.length = 0;
    warnings.length = 0;
    await rm(folder, { recursive: true, force: true });
  });

  function journal(slowDiskBudgetMs = 60_000, threadRunTime?: () => number, callbacks: Partial<RowJournalOptions> = {}): RowJournal {
    return new RowJournal(join(folder, 'journal'), {
      slowDiskBudgetMs,
      threadRunTime,
      onAppended: (tables, rows, segment) => appends.push({ tables: [...tables], rows: rows.length, segment }),
      onNotJournaled: (tables, rows) => notJournaled.push(...rows.map((_, i) => tables[i]!)),
      onError: (error) => errors.push(error),
      onWarning: (message) => warnings.push(message),
      onAppendTimed: (seconds) => appendSeconds.push(seconds),
      ...callbacks,
    });
  }

  /** Whether an append's promise settled within a second: one that never does hangs every ack of its turn. */
  async function settled(durable: Promise<void> | undefined): Promise<'resolved' | 'pending'> {
    let timer: NodeJS.Timeout | undefined;
    const pending = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), 1_000)));
    const outcome = await Promise.race([durable!.then(() => 'resolved' as const), pending]);
    clearTimeout(timer);
    return outcome;
  }

  function throwing(what: string): () => never {
    return () => {
      throw new Error(`${what} is closed`);
    };
  }

  /** Appends a row: whether its append was over by the next callback of the turn, and whether it is now. */
  async function appendSeenByTheNextCallback(rows: RowJournal): Promise<{ seenByTheNextCallback: boolean; durable: () => boolean }> {
    let durable = false;
    rows.append('deliveries', delivery('d2'));
    void rows.whenDurable()!.then(() => (durable = true));
    const seenByTheNextCallback = await new Promise<boolean>((resolve) => setImmediate(() => resolve(durable)));
    return { seenByTheNextCallback, durable: () => durable };
  }

  test('a failed append resolves and hands its rows back, and the journal is failing until an append succeeds', async () => {
    // The journal folder's place is taken by a file: no segment can be created there.
    await writeFile(join(folder, 'journal'), 'not a folder');
    const rows = journal();
    rows.append('deliveries', delivery('d1'));
    await rows.whenDurable();
    expect(notJournaled).toEqual(['deliveries']);
    expect(errors).toContainEqual(expect.objectContaining({ code: 'TW_WAREHOUSE_JOURNAL' }));
    expect([rows.failing, rows.failures, rows.staged]).toEqual([true, 1, 0]);

    await rm(join(folder, 'journal'));
    rows.append('deliveries', delivery('d2'));
    await rows.whenDurable();
    expect(appends).toEqual([{ tables: ['deliveries'], rows: 1, segment: expect.anything() }]);
    expect([rows.failing, rows.failures]).toEqual([false, 1]);
  });

  test('the time of every append is reported, a failed one included', async () => {
    const rows = journal();
    rows.append('deliveries', delivery('d1'));
    await rows.whenDurable();
    await writeFile(join(folder, 'blocked'), 'not a folder');
    const blocked = new RowJournal(join(folder, 'blocked'), {
      onAppended: () => undefined,
      onNotJournaled: () => undefined,
      onError: () => undefined,
      onWarning: () => undefined,
      onAppendTimed: (seconds) => appendSeconds.push(seconds),
    });
    blocked.append('deliveries', delivery('d2'));
    await blocked.whenDurable();
    expect(appendSeconds).toHaveLength(2);
    for (const seconds of appendSeconds) expect(seconds).toBeGreaterThanOrEqual(0);
  });

  test('rows passed in one turn share one promise and go in one write', async () => {
    const rows = journal();
    rows.append('deliveries', delivery('d1'));
    const first = rows.whenDurable();
    rows.append('triggers', delivery('d2') as never);
    expect(rows.whenDurable()).toBe(first);
    await first;
    expect(appends).toEqual([{ tables: ['deliveries', 'triggers'], rows: 2, segment: expect.anything() }]);
    const [segment] = await readdir(join(folder, 'journal'));
    expect(await readFile(join(folder, 'journal', segment!), 'utf8')).toBe(
      JOURNAL_HEADER + journalLine('deliveries', delivery('d1')) + journalLine('triggers', delivery('d2') as never),
    );
  });

  test('on a quick disk, the rows of a turn are in the journal before the next callback of that turn runs', async () => {
    // Written on the event loop: an ack waits for no thread-pool round trip and no later turn.
    const rows = journal();
    rows.append('deliveries', delivery('d1'));
    await rows.whenDurable();
    expect((await appendSeenByTheNextCallback(rows)).seenByTheNextCallback).toBe(true);
    expect(rows.slowDisk).toBe(false);
  });

  test('appends blocked on the disk past the budget move the next ones off the event loop, with a warning', async () => {
    const rows = journal(-1);
    rows.append('deliveries', delivery('d1'));
    await rows.whenDurable();
    expect(rows.slowDisk).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/blocked on the disk for .* ms within a second .*; they go through the thread pool for the next 30 s/)]);

    rows.append('deliveries', delivery('d2'));
    await rows.whenDurable();
    const [segment] = await readdir(join(folder, 'journal'));
    expect(await readFile(join(folder, 'journal', segment!), 'utf8')).toBe(
      JOURNAL_HEADER + journalLine('deliveries', delivery('d1')) + journalLine('deliveries', delivery('d2')),
    );
    expect(warnings).toHaveLength(1);
  });

  test('the time a write waited for a CPU, or ran, does not count as blocked on the disk', async () => {
    // A busy machine preempts the engine mid-write: the thread was runnable all along.
    let ran = 0;
    const rows = journal(0, () => (ran += 1_000));
    rows.append('deliveries', delivery('d1'));
    await rows.whenDurable();
    expect([rows.slowDisk, warnings]).toEqual([false, []]);
  });

  test('once appends moved off the event loop, the next append of the turn waits for the thread pool', async () => {
    const rows = journal(-1);
    rows.append('deliveries', delivery('d1'));
    await rows.whenDurable();
    const append = await appendSeenByTheNextCallback(rows);
    expect(append.seenByTheNextCallback).toBe(false);
    await rows.whenDurable();
    expect(append.durable()).toBe(true);
  });

  test('a throwing onWarning during a slow-disk move leaves no append pending, and the rows are still appended', async () => {
    const rows = journal(-1, undefined, { onWarning: throwing('the log stream') });
    rows.append('deliveries', delivery('d1'));
    expect(await settled(rows.whenDurable())).toBe('resolved');
    rows.append('deliveries', delivery('d2'));
    expect(await settled(rows.whenDurable())).toBe('resolved');
    await rows.close();
    expect(appends.map((append) => append.rows)).toEqual([1, 1]);
    expect(errors).toEqual([expect.objectContaining({ code: 'TW_INTERNAL', message: expect.stringMatching(/onWarning threw: the log stream is closed\. .*a warning is missing from the log: Journal appends kept the event loop blocked/) })]);
  });

  test('a throwing onAppendTimed neither keeps the rows from their table nor leaves the append pending', async () => {
    const rows = journal(60_000, undefined, { onAppendTimed: throwing('the metrics registry') });
    rows.append('deliveries', delivery('d1'));
    expect(await settled(rows.whenDurable())).toBe('resolved');
    expect([appends.length, rows.staged, rows.failing]).toEqual([1, 0, false]);
    expect(errors).toEqual([expect.objectContaining({ code: 'TW_INTERNAL', message: expect.stringMatching(/onAppendTimed threw/) })]);
  });

  test('a throwing onAppended is reported and the append still resolves, its rows not handed over a second time', async () => {
    const rows = journal(60_000, undefined, { onAppended: throwing('the table lane') });
    rows.append('deliveries', delivery('d1'));
    expect(await settled(rows.whenDurable())).toBe('resolved');
    expect([notJournaled, rows.staged]).toEqual([[], 0]);
    expect(errors).toEqual([expect.objectContaining({ code: 'TW_INTERNAL', message: expect.stringMatching(/onAppended threw/) })]);
  });

  test('a callback that throws a value with no text form is reported all the same, and the append resolves', async () => {
    const rows = journal(60_000, undefined, {
      onAppended: () => {
        throw Object.create(null);
      },
    });
    rows.append('deliveries', delivery('d1'));
    expect(await settled(rows.whenDurable())).toBe('resolved');
    expect(errors.map((error) => [error.code, error.message.includes('a value with no text form')])).toEqual([['TW_INTERNAL', true]]);
  });

  test('the segment of rows a throwing onAppended may not have handed to their table stays on disk for the next start to replay', async () => {
    const rows = journal(60_000, undefined, { onAppended: throwing('the table lane') });
    rows.append('deliveries', delivery('d1'));
    await rows.whenDurable();
    await rows.close();
    const [segment] = await readdir(join(folder, 'journal'));
    expect(await readFile(join(folder, 'journal', segment!), 'utf8')).toBe(JOURNAL_HEADER + journalLine('deliveries', delivery('d1')));
  });

  test('on a failed append, a throwing onNotJournaled still leaves the failure reported and the append resolved', async () => {
    await writeFile(join(folder, 'journal'), 'not a folder');
    const rows = journal(60_000, undefined, { onNotJournaled: throwing('the table lane') });
    rows.append('deliveries', delivery('d1'));
    expect(await settled(rows.whenDurable())).toBe('resolved');
    expect([rows.failing, rows.failures, rows.staged]).toEqual([true, 1, 0]);
    expect(errors.map((error) => error.code)).toEqual(['TW_INTERNAL', 'TW_WAREHOUSE_JOURNAL']);
  });

  test('a throwing onError on a failed append stops the engine before the append is declared over, so no frame of its rows is acknowledged', async () => {
    // The error channel itself is broken: nothing is left to report to, so the process fails as
    // for any uncaught exception, rather than with an unhandled rejection; the rows are in memory
    // only, so their frames must stay unacknowledged (the tracker resends them).
    await writeFile(join(folder, 'journal'), 'not a folder');
    const script = `
      import { RowJournal } from './engine/warehouse/row-journal.ts';
      process.on('unhandledRejection', (reason) => { console.log('unhandled rejection: ' + reason); process.exit(3); });
      const rows = new RowJournal(${JSON.stringify(join(folder, 'journal'))}, {
        onAppended: () => undefined,
        onNotJournaled: (tables) => console.log('not journaled: ' + tables.length),
        onError: () => { throw new Error('the log stream is closed'); },
        onWarning: () => undefined,
      });
      rows.append('deliveries', {});
      await rows.whenDurable();
      console.log('resolved');
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect([code, stdout]).toEqual([1, 'not journaled: 1\n']);
    expect(stderr).toMatch(/the log stream is closed/);
  });

  test('a segment left behind becomes one spill batch per table, named by the segment, and is removed', async () => {
    const crashed = journal();
    crashed.append('deliveries', delivery('d1'));
    crashed.append('events', delivery('e1') as never);
    crashed.append('deliveries', delivery('d2'));
    await crashed.whenDurable();
    const [segment] = await readdir(join(folder, 'journal'));

    const spill = new SpillFolder(join(folder, 'spill'));
    await journal().recover(spill);
    const batches = await spill.list();
    const id = segment!.replace('.journal', '');
    expect(batches.map((batch) => [batch.id, batch.table])).toEqual([
      [id, 'deliveries'],
      [id, 'events'],
    ]);
    expect(await spill.read(batches[0]! as typeof batches[0] & { table: 'deliveries' })).toEqual([delivery('d1'), delivery('d2')]);
    expect(await readdir(join(folder, 'journal'))).toEqual([]);
  });

  test('a segment is removed once the batches holding it are released after the next segment began', async () => {
    const rows = journal();
    rows.append('deliveries', delivery('d1'));
    await rows.whenDurable();
    const held = appends[0]!.segment;
    held.hold();
    rows.rotate();
    rows.append('deliveries', delivery('d2'));
    await rows.whenDurable();
    expect(await readdir(join(folder, 'journal'))).toHaveLength(2);
    held.release();
    await rows.close();
    expect(await readdir(join(folder, 'journal'))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
