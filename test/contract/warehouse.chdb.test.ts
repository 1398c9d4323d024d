import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ChdbWarehouse } from '../../engine/warehouse/chdb/index.js';
import { describeWarehouseContract, eventRow } from './warehouse.contract.js';
import { describeShippedQueries } from './warehouse.queries.js';
import { describeStoredEvents } from './stored-events.contract.js';

// libchdb binds one data folder per process: every warehouse in this file shares this one.
const folder = mkdtempSync(join(tmpdir(), 'tw-chdb-'));

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describeWarehouseContract('chdb', {
  open: (database) => ChdbWarehouse.open(folder, { database }),
});

describeShippedQueries('chdb', {
  open: (database) => ChdbWarehouse.open(folder, { database }),
});

describeStoredEvents('chdb', {
  open: (database) => ChdbWarehouse.open(folder, { database }),
});

describe('ChdbWarehouse', () => {
  test('reports the embedded ClickHouse version', async () => {
    const warehouse = await ChdbWarehouse.open(folder, { database: 'tw_version' });
    expect(warehouse.version).toMatch(/^\d+\.\d+/);
    await warehouse.close();
  });

  test('rows survive closing and reopening the data folder', async () => {
    const first = await ChdbWarehouse.open(folder, { database: 'tw_restart' });
    await first.migrate();
    const row = eventRow({ search_query: 'still here' });
    await first.insert('events', [row]);
    await first.close();

    const second = await ChdbWarehouse.open(folder, { database: 'tw_restart' });
    const stored = await second.query<{ event_id: string; search_query: string }>('SELECT event_id, search_query FROM {events}');
    expect(stored).toEqual([{ event_id: row.event_id, search_query: 'still here' }]);
    await second.close();
  });
});
