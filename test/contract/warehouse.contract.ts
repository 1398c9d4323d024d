import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { TripwireError } from '../../engine/errors.js';
import type { WarehouseBackend } from '../../engine/warehouse/index.js';
import { capabilitiesOf, eventsPerType, popinsShownPerScenario, runQuery, sqlString } from '../../engine/warehouse/index.js';
import { describeWarehouseJournalContract } from './warehouse-journal.contract.js';
import { describeBatchingSinkContract } from './warehouse-sink.contract.js';
import { eventRow, triggerRow, conversionRow, deliveryRow, T0, count } from './warehouse.fixtures.js';

export { eventRow, triggerRow, conversionRow, deliveryRow } from './warehouse.fixtures.js';

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

      test('a replay whose ids add up to more than max_query_size (256 KiB) still stores only the missing rows', async () => {
        const backend = await migrated();
        // Order and event ids come from the site: nothing bounds their length but the frame size.
        const rows = Array.from({ length: 400 }, (_, i) => eventRow({ visitor_id: `v${i % 7}`, event_id: `${String(i).padStart(4, '0')}-${'é€😀x'.repeat(250)}` }));
        const orders = Array.from({ length: 300 }, (_, i) => conversionRow({ order_id: `${i}-${'o'.repeat(1_000)}` }));
        await backend.insert('events', rows.slice(0, 150), { id: 'long-ids', replay: false });
        await backend.insert('events', rows, { id: 'long-ids', replay: true });
        await backend.insert('conversions', orders.slice(0, 100), { id: 'long-orders', replay: false });
        await backend.insert('conversions', orders, { id: 'long-orders', replay: true });
        expect(await count(backend, 'events')).toBe(400);
        expect(await count(backend, 'conversions')).toBe(300);
      });

      test('a replay recognises stored ids holding quotes, backslashes and other scripts', async () => {
        const backend = await migrated();
        const rows = [`it's`, 'back\\slash', 'tab\there', 'é€😀', "q'\\'"].map((id) => eventRow({ event_id: id }));
        await backend.insert('events', rows);
        await backend.insert('events', rows, { id: 'quoted', replay: true });
        expect(await count(backend, 'events')).toBe(rows.length);
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

      test('a value holding a table placeholder stays that value: only placeholders in the SQL text name tables', async () => {
        const backend = await migrated();
        await backend.insert('events', [eventRow({ event_id: 'searched-placeholder', search_query: '{events}' }), eventRow({ event_id: 'other' })]);
        const rows = await backend.query<{ event_id: string; query: string; quoted: string }>(
          `SELECT event_id, search_query AS query, 'it''s {triggers} and \\\\' AS quoted FROM {events} -- the {deliveries} aren't read\n` +
            `WHERE search_query = ${sqlString('{events}')} /* nor the {conversions} */`,
        );
        expect(rows).toEqual([{ event_id: 'searched-placeholder', query: '{events}', quoted: "it's {triggers} and \\" }]);
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

    describeBatchingSinkContract(migrated);
    describeWarehouseJournalContract(migrated);
  });
}
