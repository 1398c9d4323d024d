import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { TripwireError } from '../../engine/errors.js';
import type { ConversionRow, DeliveryRow, EventRow, InsertBatch, TriggerRow, WarehouseBackend, WarehouseRows, WarehouseTable } from '../../engine/warehouse/index.js';
import {
  BatchingSink,
  capabilitiesOf,
  eventsPerType,
  popinsShownPerScenario,
  runQuery,
  sqlString,
} from '../../engine/warehouse/index.js';

/**
 * One specification for every WarehouseBackend (chdb in process, ClickHouse servers from 18.16
 * on). Each test works in its own database, so files and tests can share a server.
 */
export interface WarehouseContractSetup {
  /** A backend on a fresh database of that name, not yet migrated. */
  open(database: string): Promise<WarehouseBackend>;
  /** Removes a test database once its test is over. */
  drop?(database: string): Promise<void>;
  /** Set when the backend cannot run here; the reason is shown with the skip. */
  skip?: string;
}

const T0 = Date.UTC(2025, 2, 14, 9, 26, 53, 589);

export function eventRow(overrides: Partial<EventRow> = {}): EventRow {
  return {
    site: 'shop',
    visitor_id: 'v1',
    session_id: 's1',
    event_id: randomUUID(),
    type: 'page_view',
    time: T0,
    received_at: T0 + 12,
    url: 'https://shop.example/',
    product_id: '',
    category: '',
    search_query: '',
    value: 0,
    props: '{}',
    ...overrides,
  };
}

export function triggerRow(overrides: Partial<TriggerRow> = {}): TriggerRow {
  return {
    trigger_id: randomUUID(),
    site: 'shop',
    visitor_id: 'v1',
    scenario_id: 'cart-abandon',
    variant: 'a',
    channel: 'popin',
    status: 'fired',
    reason: '',
    event_id: randomUUID(),
    time: T0,
    context: '{}',
    ...overrides,
  };
}

export function conversionRow(overrides: Partial<ConversionRow> = {}): ConversionRow {
  return {
    site: 'shop',
    visitor_id: 'v1',
    order_id: `o-${randomUUID().slice(0, 8)}`,
    event_id: randomUUID(),
    value: 49.9,
    items: 2,
    trigger_id: '',
    time: T0,
    ...overrides,
  };
}

export function deliveryRow(overrides: Partial<DeliveryRow> = {}): DeliveryRow {
  return {
    delivery_id: randomUUID(),
    trigger_id: randomUUID(),
    site: 'shop',
    visitor_id: 'v1',
    scenario_id: 'cart-abandon',
    channel: 'popin',
    status: 'shown',
    detail: '',
    time: T0,
    ...overrides,
  };
}

/** Polls until `check` passes or the deadline expires, then rethrows its last failure. */
async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

async function count(backend: WarehouseBackend, table: WarehouseTable): Promise<number> {
  const [row] = await backend.query<{ n: number }>(`SELECT count() AS n FROM {${table}}`);
  return row?.n ?? 0;
}

/**
 * A real backend whose inserts fail while `failing` is positive: an outage, without stopping a
 * server. While `storedButLost` is positive an insert is stored and then reported as failed, as
 * when the connection breaks before ClickHouse's answer arrives.
 */
class FlakyBackend implements WarehouseBackend {
  failing: number;
  storedButLost = 0;
  readonly batches: Array<InsertBatch | undefined> = [];
  constructor(
    private readonly inner: WarehouseBackend,
    failures: number,
  ) {
    this.failing = failures;
  }
  get version(): string {
    return this.inner.version;
  }
  migrate(): Promise<void> {
    return this.inner.migrate();
  }
  async insert<T extends WarehouseTable>(table: T, rows: readonly WarehouseRows[T][], batch?: InsertBatch): Promise<void> {
    this.batches.push(batch);
    if (this.failing > 0) {
      this.failing -= 1;
      throw new TripwireError('TW_WAREHOUSE_UNAVAILABLE', 'ClickHouse is down (simulated outage)');
    }
    await this.inner.insert(table, rows, batch);
    if (this.storedButLost > 0) {
      this.storedButLost -= 1;
      throw new TripwireError('TW_WAREHOUSE_UNAVAILABLE', 'socket hang up (simulated lost answer)');
    }
  }
  query<Row = Record<string, unknown>>(sql: string): Promise<Row[]> {
    return this.inner.query<Row>(sql);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

export function describeWarehouseContract(name: string, setup: WarehouseContractSetup): void {
  describe.skipIf(setup.skip !== undefined)(`WarehouseBackend contract: ${name}${setup.skip ? ` (${setup.skip})` : ''}`, () => {
    const opened: { backend: WarehouseBackend; database: string }[] = [];

    async function fresh(): Promise<WarehouseBackend> {
      const database = `tw_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      const backend = await setup.open(database);
      opened.push({ backend, database });
      return backend;
    }

    async function migrated(): Promise<WarehouseBackend> {
      const backend = await fresh();
      await backend.migrate();
      return backend;
    }

    afterEach(async () => {
      for (const { backend, database } of opened.splice(0)) {
        await setup.drop?.(database);
        await backend.close();
      }
    });

    describe('schema', () => {
      test('migrate creates the database and records every migration in tw_migrations', async () => {
        const backend = await migrated();
        const applied = await backend.query<{ id: number }>('SELECT id FROM {tw_migrations} ORDER BY id');
        expect(applied.map((row) => row.id)).toEqual([1, 2, 3, 4]);
        expect(await count(backend, 'events')).toBe(0);
        expect(await count(backend, 'conversions')).toBe(0);
        expect(await count(backend, 'triggers')).toBe(0);
        expect(await count(backend, 'deliveries')).toBe(0);
      });

      test('migrating an up-to-date database changes nothing and records nothing twice', async () => {
        const backend = await migrated();
        await backend.insert('events', [eventRow()]);
        await backend.migrate();
        const applied = await backend.query<{ id: number; n: number }>(
          'SELECT id, count() AS n FROM {tw_migrations} GROUP BY id ORDER BY id',
        );
        expect(applied).toEqual([
          { id: 1, n: 1 },
          { id: 2, n: 1 },
          { id: 3, n: 1 },
          { id: 4, n: 1 },
        ]);
        expect(await count(backend, 'events')).toBe(1);
      });

      test('tables have the same column names on every server', async () => {
        const backend = await migrated();
        const columns = await backend.query<{ name: string }>('DESCRIBE TABLE {deliveries}');
        expect(columns.map((column) => column.name)).toEqual([
          'delivery_id', 'trigger_id', 'site', 'scenario_id', 'channel', 'status', 'detail', 'visitor_id', 'time', 'time_ms',
        ]);
      });
    });

    describe('rows', () => {
      test('an event reads back with its strings, numbers, millisecond times and JSON props', async () => {
        const backend = await migrated();
        const props = { note: 'dit "ça" l\'a\\', emoji: '🛒', nested: { n: 2 } };
        const row = eventRow({
          type: 'add_to_cart',
          url: "https://shop.example/p?q='x'&r=\"y\"",
          product_id: 'sku-42',
          category: 'Chaussures d\'été',
          search_query: "tab\there\nnewline 'quote' \\ back",
          value: 1234.56,
          props: JSON.stringify(props),
        });
        await backend.insert('events', [row]);
        const [stored] = await backend.query<Record<string, unknown>>('SELECT * FROM {events}');
        expect(stored).toMatchObject({
          event_id: row.event_id,
          site: 'shop',
          type: 'add_to_cart',
          visitor_id: 'v1',
          session_id: 's1',
          time: '2025-03-14 09:26:53',
          time_ms: T0,
          received_at: '2025-03-14 09:26:53',
          received_at_ms: T0 + 12,
          url: row.url,
          product_id: 'sku-42',
          category: row.category,
          search_query: row.search_query,
          value: 1234.56,
        });
        expect(JSON.parse(String(stored?.props))).toEqual(props);
      });

      test('a trigger reads back with its status, reason and context', async () => {
        const backend = await migrated();
        const row = triggerRow({ status: 'suppressed', reason: 'cooldown', variant: 'b', context: '{"name":"Zoë"}' });
        await backend.insert('triggers', [row]);
        const [stored] = await backend.query('SELECT * FROM {triggers}');
        expect(stored).toEqual({
          trigger_id: row.trigger_id,
          site: 'shop',
          scenario_id: 'cart-abandon',
          variant: 'b',
          channel: 'popin',
          status: 'suppressed',
          reason: 'cooldown',
          visitor_id: 'v1',
          event_id: row.event_id,
          time: '2025-03-14 09:26:53',
          time_ms: T0,
          context: '{"name":"Zoë"}',
        });
      });

      test('a delivery reads back with its channel, status and detail', async () => {
        const backend = await migrated();
        const row = deliveryRow({ channel: 'email', status: 'failed', detail: "550 'mailbox' unavailable" });
        await backend.insert('deliveries', [row]);
        const [stored] = await backend.query('SELECT * FROM {deliveries}');
        expect(stored).toEqual({
          delivery_id: row.delivery_id,
          trigger_id: row.trigger_id,
          site: 'shop',
          scenario_id: 'cart-abandon',
          channel: 'email',
          status: 'failed',
          detail: "550 'mailbox' unavailable",
          visitor_id: 'v1',
          time: '2025-03-14 09:26:53',
          time_ms: T0,
        });
      });

      test('a conversion reads back with its order, value, items and trigger', async () => {
        const backend = await migrated();
        const row = conversionRow({ order_id: 'A-1042', value: 89.9, items: 3, trigger_id: 't-1' });
        await backend.insert('conversions', [row]);
        expect(await backend.query('SELECT * FROM {conversions}')).toEqual([
          { site: 'shop', order_id: 'A-1042', event_id: row.event_id, visitor_id: 'v1', value: 89.9, items: 3, trigger_id: 't-1', time: '2025-03-14 09:26:53', time_ms: T0 },
        ]);
      });

      test('a replayed batch stores only the rows the table does not hold yet, on every server', async () => {
        const backend = await migrated();
        const rows = [eventRow({ visitor_id: 'a' }), eventRow({ visitor_id: 'b' }), eventRow({ visitor_id: 'c' })];
        await backend.insert('events', rows.slice(0, 1), { id: 'batch-1', replay: false });
        await backend.insert('events', rows, { id: 'batch-1', replay: true });
        await backend.insert('events', rows, { id: 'batch-1', replay: true });
        const stored = await backend.query<{ visitor_id: string }>('SELECT visitor_id FROM {events} ORDER BY visitor_id');
        expect(stored.map((row) => row.visitor_id)).toEqual(['a', 'b', 'c']);
      });

      test('an event id seen for another visitor is not mistaken for a stored row on replay', async () => {
        const backend = await migrated();
        await backend.insert('events', [eventRow({ visitor_id: 'a', event_id: 'e1' })]);
        await backend.insert('events', [eventRow({ visitor_id: 'b', event_id: 'e1' })], { id: 'batch-2', replay: true });
        expect(await count(backend, 'events')).toBe(2);
      });

      test('one insert call stores a whole batch', async () => {
        const backend = await migrated();
        await backend.insert('events', Array.from({ length: 500 }, (_, i) => eventRow({ visitor_id: `v${i}` })));
        expect(await count(backend, 'events')).toBe(500);
      });

      test('a batch sent twice is stored once where the server supports insert_deduplication_token', async (context) => {
        const backend = await migrated();
        if (!capabilitiesOf(backend.version).insertDeduplicationToken) {
          context.skip(`ClickHouse ${backend.version} has no insert deduplication for plain MergeTree`);
        }
        const batch = [eventRow(), eventRow()];
        await backend.insert('events', batch);
        await backend.insert('events', batch);
        expect(await count(backend, 'events')).toBe(2);
      });
    });

    describe('queries', () => {
      test('string literals carry any string to the server unchanged', async () => {
        const backend = await fresh();
        await fc.assert(
          fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), async (text, binary) => {
            const sample = text + binary.replace(/[\uD800-\uDFFF]/g, '');
            const [row] = await backend.query<{ s: string }>(`SELECT ${sqlString(sample)} AS s`);
            expect(row?.s).toBe(sample);
          }),
          { numRuns: 60 },
        );
      });

      test('eventsPerType counts events and distinct visitors per UTC day and type', async () => {
        const backend = await migrated();
        const day = Date.UTC(2025, 0, 10);
        await backend.insert('events', [
          eventRow({ visitor_id: 'a', type: 'page_view', time: day + 1_000 }),
          eventRow({ visitor_id: 'a', type: 'page_view', time: day + 2_000 }),
          eventRow({ visitor_id: 'b', type: 'page_view', time: day + 3_000 }),
          eventRow({ visitor_id: 'a', type: 'add_to_cart', time: day + 4_000 }),
          eventRow({ visitor_id: 'c', type: 'page_view', time: day + 86_400_000 + 5 }),
          eventRow({ visitor_id: 'z', type: 'page_view', time: day + 1_000, site: 'other' }),
        ]);
        expect(await runQuery(backend, eventsPerType({ site: 'shop' }))).toEqual([
          { day: '2025-01-10', type: 'add_to_cart', events: 1, visitors: 1 },
          { day: '2025-01-10', type: 'page_view', events: 3, visitors: 2 },
          { day: '2025-01-11', type: 'page_view', events: 1, visitors: 1 },
        ]);
      });

      test('eventsPerType honours a millisecond time range, from inclusive and to exclusive', async () => {
        const backend = await migrated();
        await backend.insert('events', [
          eventRow({ time: T0 - 1 }),
          eventRow({ time: T0 }),
          eventRow({ time: T0 + 999 }),
          eventRow({ time: T0 + 1_000 }),
        ]);
        const rows = await runQuery(backend, eventsPerType({ from: T0, to: T0 + 1_000 }));
        expect(rows).toEqual([{ day: '2025-03-14', type: 'page_view', events: 2, visitors: 1 }]);
      });

      test('popinsShownPerScenario counts pop-ins shown and clicked per scenario, most shown first', async () => {
        const backend = await migrated();
        await backend.insert('deliveries', [
          deliveryRow({ scenario_id: 'exit-intent', status: 'shown', visitor_id: 'a' }),
          deliveryRow({ scenario_id: 'exit-intent', status: 'shown', visitor_id: 'b' }),
          deliveryRow({ scenario_id: 'exit-intent', status: 'clicked', visitor_id: 'b' }),
          deliveryRow({ scenario_id: 'cart-abandon', status: 'shown', visitor_id: 'a' }),
          deliveryRow({ scenario_id: 'cart-abandon', status: 'dismissed', visitor_id: 'a' }),
          deliveryRow({ scenario_id: 'cart-abandon', channel: 'email', status: 'sent', visitor_id: 'c' }),
          deliveryRow({ scenario_id: 'browse-nudge', status: 'sent', visitor_id: 'c' }),
        ]);
        expect(await runQuery(backend, popinsShownPerScenario())).toEqual([
          { scenario_id: 'exit-intent', shown: 2, clicked: 1, visitors: 2 },
          { scenario_id: 'cart-abandon', shown: 1, clicked: 0, visitors: 1 },
        ]);
      });

      test('a rejected query fails with TW_WAREHOUSE_QUERY carrying the server message', async () => {
        const backend = await migrated();
        const failure = backend.query('SELECT no_such_column FROM {events}');
        await expect(failure).rejects.toBeInstanceOf(TripwireError);
        await expect(failure).rejects.toMatchObject({ code: 'TW_WAREHOUSE_QUERY', message: expect.stringMatching(/no_such_column/) });
      });

      test('an insert into a database that was never migrated fails with TW_WAREHOUSE_UNAVAILABLE', async () => {
        const backend = await fresh();
        await expect(backend.insert('events', [eventRow()])).rejects.toMatchObject({ code: 'TW_WAREHOUSE_UNAVAILABLE' });
      });
    });

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
        expect(sink.buffered).toEqual({ events: 1, triggers: 0, deliveries: 0, conversions: 0 });
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
  });
}
