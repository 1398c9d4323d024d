import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { TripwireError } from '../../engine/errors.js';
import type { WarehouseBackend } from '../../engine/warehouse/index.js';
import { BatchingSink, SpillFolder, newBatchId } from '../../engine/warehouse/index.js';
import { eventRow, triggerRow, conversionRow, deliveryRow, FlakyBackend, eventually, count } from './warehouse.fixtures.js';

/** The batching sink's half of the warehouse contract, on a migrated backend of each kind. */
export function describeBatchingSinkContract(migrated: () => Promise<WarehouseBackend>): void {
  describe('batching sink', () => {
    const HOUR = 3_600_000;
    const errors: TripwireError[] = [];
    const onError = (error: TripwireError): void => {
      errors.push(error);
    };
    afterEach(() => {
      errors.length = 0;
    });

    test('inserts a table buffer as soon as it holds batchSize rows', async () => {
      const backend = await migrated();
      const sink = new BatchingSink(backend, { batchSize: 3, flushIntervalMs: HOUR, onError });
      for (let i = 0; i < 4; i++) sink.write('events', eventRow());
      await eventually(async () => expect(await count(backend, 'events')).toBe(3));
      // The server may show the rows before its reply reaches the sink, which counts the batch until then.
      await eventually(async () => expect(sink.buffered).toEqual({ events: 1, triggers: 0, deliveries: 0, conversions: 0 }));
      await sink.close();
    });

    test('inserts a partial batch once flushIntervalMs has passed', async () => {
      const backend = await migrated();
      const sink = new BatchingSink(backend, { batchSize: 1000, flushIntervalMs: 30, onError });
      sink.write('events', eventRow());
      sink.write('triggers', triggerRow());
      sink.write('deliveries', deliveryRow());
      await eventually(async () => {
        expect(await count(backend, 'events')).toBe(1);
        expect(await count(backend, 'triggers')).toBe(1);
        expect(await count(backend, 'deliveries')).toBe(1);
      });
      await eventually(async () => expect(sink.buffered).toEqual({ events: 0, triggers: 0, deliveries: 0, conversions: 0 }));
      await sink.close();
    });

    test('flush resolves once every row written before it is inserted', async () => {
      const backend = await migrated();
      const sink = new BatchingSink(backend, { batchSize: 2, flushIntervalMs: HOUR, onError });
      for (let i = 0; i < 5; i++) sink.write('deliveries', deliveryRow());
      await sink.flush();
      expect(await count(backend, 'deliveries')).toBe(5);
      expect(sink.buffered.deliveries).toBe(0);
      await sink.close();
    });

    test('close inserts what is still buffered', async () => {
      const backend = await migrated();
      const sink = new BatchingSink(backend, { batchSize: 1000, flushIntervalMs: HOUR, onError });
      for (let i = 0; i < 7; i++) sink.write('triggers', triggerRow());
      await sink.close();
      expect(await count(backend, 'triggers')).toBe(7);
      expect(errors).toEqual([]);
    });

    test('an event holding a lone UTF-16 surrogate (a client string) does not hold back the rows written after it', async () => {
      const backend = await migrated();
      const sink = new BatchingSink(backend, { batchSize: 1, flushIntervalMs: 10, retryInitialMs: 10, retryMaxMs: 20, onError });
      sink.write('events', eventRow({ visitor_id: 'lone', search_query: 'mug\ud800' }));
      sink.write('events', eventRow({ visitor_id: 'after' }));
      try {
        await eventually(async () => expect(await count(backend, 'events')).toBe(2), 5_000);
      } finally {
        await sink.close().catch(() => undefined);
      }
      const [stored] = await backend.query<{ search_query: string }>("SELECT search_query FROM {events} WHERE visitor_id = 'lone'");
      expect(stored?.search_query).toBe('mug\ufffd');
      expect(errors).toEqual([]);
    });

    test('writing after close fails loudly instead of losing the row', async () => {
      const backend = await migrated();
      const sink = new BatchingSink(backend, { onError });
      await sink.close();
      expect(() => sink.write('events', eventRow())).toThrow(TripwireError);
    });

    test('rows of a failed insert stay buffered and arrive once ClickHouse is back', async () => {
      const backend = new FlakyBackend(await migrated(), 3);
      const sink = new BatchingSink(backend, { batchSize: 2, flushIntervalMs: 10, retryInitialMs: 10, retryMaxMs: 40, onError });
      const rows = Array.from({ length: 5 }, (_, i) => eventRow({ visitor_id: `v${i}` }));
      for (const row of rows) sink.write('events', row);
      await eventually(async () => expect(await count(backend, 'events')).toBe(5));
      expect(errors).toHaveLength(3);
      expect(errors.every((error) => error.code === 'TW_WAREHOUSE_UNAVAILABLE')).toBe(true);
      const stored = await backend.query<{ visitor_id: string }>('SELECT visitor_id FROM {events} ORDER BY visitor_id');
      expect(stored.map((row) => row.visitor_id)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
      expect(sink.buffered.events).toBe(0);
      await sink.close();
    });

    test('flush rejects while inserts fail and keeps the rows for the next flush', async () => {
      const backend = new FlakyBackend(await migrated(), 1);
      const sink = new BatchingSink(backend, { batchSize: 1000, flushIntervalMs: HOUR, onError });
      sink.write('events', eventRow());
      await expect(sink.flush()).rejects.toMatchObject({ code: 'TW_WAREHOUSE_UNAVAILABLE' });
      expect(sink.buffered.events).toBe(1);
      await sink.flush();
      expect(await count(backend, 'events')).toBe(1);
      await sink.close();
    });

    test('after a failed flush the sink retries on its own', async () => {
      const backend = new FlakyBackend(await migrated(), 1);
      const sink = new BatchingSink(backend, { batchSize: 1000, flushIntervalMs: HOUR, retryInitialMs: 10, onError });
      sink.write('deliveries', deliveryRow());
      await expect(sink.flush()).rejects.toMatchObject({ code: 'TW_WAREHOUSE_UNAVAILABLE' });
      await eventually(async () => expect(await count(backend, 'deliveries')).toBe(1));
      await sink.close();
    });

    test('past highWaterMark rows are still accepted, pressure is raised and whenWritable waits until they are stored', async () => {
      const backend = new FlakyBackend(await migrated(), 1);
      const sink = new BatchingSink(backend, { batchSize: 2, highWaterMark: 3, flushIntervalMs: HOUR, retryInitialMs: 20, onError });
      for (let i = 0; i < 5; i++) sink.write('triggers', triggerRow({ visitor_id: `v${i}` }));
      expect(sink.pressure).toBe(true);
      let writable = false;
      const waiting = sink.whenWritable().then(() => (writable = true));
      expect(writable).toBe(false);
      await waiting;
      expect(sink.buffered.triggers).toBeLessThan(3);
      await sink.close();
      const stored = await backend.query<{ visitor_id: string }>('SELECT visitor_id FROM {triggers} ORDER BY visitor_id');
      expect(stored.map((row) => row.visitor_id)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    });

    test('whenWritable resolves at once while the sink is below its high-water mark', async () => {
      const backend = await migrated();
      const sink = new BatchingSink(backend, { highWaterMark: 10, flushIntervalMs: HOUR, onError });
      sink.write('events', eventRow());
      expect(sink.pressure).toBe(false);
      await sink.whenWritable();
      await sink.close();
    });

    test('a batch stored by ClickHouse whose answer was lost is retried without being stored twice', async () => {
      const backend = new FlakyBackend(await migrated(), 0);
      backend.storedButLost = 1;
      const sink = new BatchingSink(backend, { batchSize: 3, flushIntervalMs: HOUR, retryInitialMs: 10, onError });
      for (let i = 0; i < 3; i++) sink.write('events', eventRow({ visitor_id: `v${i}` }));
      await eventually(async () => expect(sink.inserted.events).toBe(3));
      expect(await count(backend, 'events')).toBe(3);
      expect(backend.batches.map((batch) => batch?.replay)).toEqual([false, true]);
      expect(backend.batches[0]?.id).toBe(backend.batches[1]?.id);
      await sink.close();
    });

    describe('spill folder', () => {
      let spillDir: string;
      afterEach(async () => {
        await rm(spillDir, { recursive: true, force: true });
      });
      const spillFiles = async (): Promise<string[]> => (await readdir(spillDir)).sort();

      test('after spillAfterFailures failed inserts, batches move to disk and leave memory', async () => {
        spillDir = await mkdtemp(join(tmpdir(), 'tw-spill-'));
        const backend = new FlakyBackend(await migrated(), Number.POSITIVE_INFINITY);
        const sink = new BatchingSink(backend, { batchSize: 2, flushIntervalMs: 10, retryInitialMs: 5, retryMaxMs: 20, spillDir, spillAfterFailures: 2, onError });
        for (let i = 0; i < 6; i++) sink.write('deliveries', deliveryRow({ visitor_id: `v${i}` }));
        await eventually(async () => expect(sink.buffered.deliveries).toBe(0));
        expect(sink.spilled.deliveries).toBe(3);
        expect(await spillFiles()).toEqual([expect.stringMatching(/\.deliveries\.json$/), expect.anything(), expect.anything()]);
        backend.failing = 0;
        await eventually(async () => {
          expect(await count(backend, 'deliveries')).toBe(6);
          // A replayed file is removed just after its insert: the count may see the rows first.
          expect(await spillFiles()).toEqual([]);
        });
        await sink.close();
      });

      test('close spills what ClickHouse refuses, and the next sink on that folder stores it exactly once', async () => {
        spillDir = await mkdtemp(join(tmpdir(), 'tw-spill-'));
        const inner = await migrated();
        const down = new FlakyBackend(inner, Number.POSITIVE_INFINITY);
        const first = new BatchingSink(down, { batchSize: 100, flushIntervalMs: HOUR, spillDir, onError });
        const rows = Array.from({ length: 7 }, (_, i) => conversionRow({ visitor_id: `v${i}` }));
        for (const row of rows) first.write('conversions', row);
        await first.close();
        expect(await count(inner, 'conversions')).toBe(0);
        expect(await spillFiles()).toHaveLength(1);

        const second = new BatchingSink(inner, { batchSize: 100, flushIntervalMs: HOUR, spillDir, onError });
        await second.flush();
        expect(await count(inner, 'conversions')).toBe(7);
        expect(await spillFiles()).toEqual([]);
        await second.close();
      });

      test('a spilled batch replayed after a crash that left it on disk is not stored twice', async () => {
        spillDir = await mkdtemp(join(tmpdir(), 'tw-spill-'));
        const inner = await migrated();
        const rows = Array.from({ length: 4 }, (_, i) => eventRow({ visitor_id: `v${i}` }));
        const first = new BatchingSink(new FlakyBackend(inner, Number.POSITIVE_INFINITY), { batchSize: 100, flushIntervalMs: HOUR, spillDir, onError });
        for (const row of rows) first.write('events', row);
        await first.close();
        // The crash: half the batch reached ClickHouse before the process died, the file stayed.
        await inner.insert('events', rows.slice(0, 2));
        const second = new BatchingSink(inner, { batchSize: 100, flushIntervalMs: HOUR, spillDir, onError });
        await second.flush();
        const stored = await inner.query<{ visitor_id: string }>('SELECT visitor_id FROM {events} ORDER BY visitor_id');
        expect(stored.map((row) => row.visitor_id)).toEqual(['v0', 'v1', 'v2', 'v3']);
        await second.close();
      });

      test('a batch ClickHouse refuses as malformed is set aside as .rejected after a few tries, and the batches behind it are stored', async () => {
        spillDir = await mkdtemp(join(tmpdir(), 'tw-spill-'));
        const inner = await migrated();
        // Spilled by an engine that did not yet make rows well-formed: the lone surrogate reaches the server.
        const folder = new SpillFolder(spillDir);
        const refused = await folder.write('events', newBatchId(), [eventRow({ visitor_id: 'lone', search_query: 'mug\ud800' })]);
        await folder.write('events', newBatchId(), [eventRow({ visitor_id: 'after' })]);
        const sink = new BatchingSink(inner, { batchSize: 1, flushIntervalMs: 10, retryInitialMs: 5, retryMaxMs: 20, spillDir, onError });
        try {
          await eventually(async () => expect(await spillFiles()).toEqual([`${basename(refused.file)}.rejected`]));
          await eventually(async () => expect(await inner.query('SELECT visitor_id FROM {events}')).toEqual([{ visitor_id: 'after' }]));
          expect(sink.rejected.events).toBe(1);
          // Three refusals, then the report of the set-aside.
          expect(errors.map((error) => error.code)).toEqual(Array(4).fill('TW_WAREHOUSE_REJECTED'));
          expect(errors.at(-1)?.message).toContain(`set aside as ${refused.file}.rejected`);
        } finally {
          await sink.close();
        }
      });

      test('an unreadable spill file is set aside and reported; the batches behind it are replayed', async () => {
        spillDir = await mkdtemp(join(tmpdir(), 'tw-spill-'));
        const inner = await migrated();
        const first = new BatchingSink(new FlakyBackend(inner, Number.POSITIVE_INFINITY), { batchSize: 1, flushIntervalMs: HOUR, spillDir, onError });
        first.write('triggers', triggerRow({ visitor_id: 'broken' }));
        first.write('triggers', triggerRow({ visitor_id: 'fine' }));
        await first.close();
        const [oldest] = await spillFiles();
        const { writeFile } = await import('node:fs/promises');
        await writeFile(join(spillDir, oldest!), '{"format": "tripwire-spill-1", "rows": [');
        errors.length = 0;
        const second = new BatchingSink(inner, { batchSize: 1, flushIntervalMs: HOUR, spillDir, onError });
        await second.flush();
        const stored = await inner.query<{ visitor_id: string }>('SELECT visitor_id FROM {triggers}');
        expect(stored).toEqual([{ visitor_id: 'fine' }]);
        expect(errors.map((error) => error.code)).toEqual(['TW_WAREHOUSE_SPILL']);
        expect(await spillFiles()).toEqual([`${oldest}.corrupt`]);
        await second.close();
      });
    });
  });
}
