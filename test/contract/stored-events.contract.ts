import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { storedEvents } from '../../engine/backtest/index.js';
import type { WarehouseBackend } from '../../engine/warehouse/index.js';
import { eventRow, type WarehouseContractSetup } from './warehouse.contract.js';

/** storedEvents, the backtest's input, on every backend. */
export function describeStoredEvents(name: string, setup: WarehouseContractSetup): void {
  describe.skipIf(setup.skip !== undefined)(`storedEvents, the backtest input: ${name}${setup.skip ? ` (${setup.skip})` : ''}`, () => {
    const database = `tw_backtest_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
    let warehouse: WarehouseBackend | undefined;

    afterAll(async () => {
      await setup.drop?.(database);
      await warehouse?.close();
    });

    test('pages through a catalogue fan-out, whose events share one time and one event id, without skipping visitors', async () => {
      warehouse = await setup.open(database);
      await warehouse.migrate();
      // One back-in-stock change fanned out to three visitors: id `back_in_stock:<product>:<change time>`, time = change time.
      const at = Date.UTC(2026, 10, 2, 10);
      await warehouse.insert(
        'events',
        ['v1', 'v2', 'v3'].map((visitor) =>
          eventRow({ visitor_id: visitor, event_id: `back_in_stock:mug:${at}`, type: 'back_in_stock', product_id: 'mug', time: at, received_at: at }),
        ),
      );
      const replayed: string[] = [];
      for await (const event of storedEvents(warehouse, { from: at - 1000, to: at + 1000 }, 2)) replayed.push(event.visitor);
      expect(replayed).toEqual(['v1', 'v2', 'v3']);
    });
  });
}
