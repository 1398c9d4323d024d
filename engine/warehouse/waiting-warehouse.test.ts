import { describe, expect, test } from 'vitest';
import { TripwireError } from '../errors.js';
import type { WarehouseBackend } from './warehouse.js';
import { WaitingWarehouse, type WaitingWarehouseOptions } from './waiting-warehouse.js';

/** A server that is unreachable for the first `downFor` attempts, then answers. */
function server(downFor: number, refusal?: TripwireError) {
  const inserted: unknown[] = [];
  let attempts = 0;
  let closed = 0;
  const backend: WarehouseBackend = {
    version: '18.16.1',
    migrate: async () => undefined,
    insert: async (_table, rows) => void inserted.push(...rows),
    query: async <Row>() => [{ ok: 1 }] as Row[],
    close: async () => void (closed += 1),
  };
  return {
    inserted,
    get attempts() {
      return attempts;
    },
    get closed() {
      return closed;
    },
    open: async () => {
      attempts += 1;
      if (refusal !== undefined) throw refusal;
      if (attempts <= downFor) throw new TripwireError('TW_WAREHOUSE_UNAVAILABLE', 'ClickHouse at http://ch:8123 did not answer: connect ECONNREFUSED');
      return backend;
    },
  };
}

function options(open: WaitingWarehouseOptions['open'], events: string[]): WaitingWarehouseOptions {
  return {
    where: 'http://ch:8123',
    open,
    retryInitialMs: 5,
    retryMaxMs: 20,
    onWaiting: (_error, retryInMs) => events.push(`waiting ${retryInMs}`),
    onReady: () => events.push('ready'),
  };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

describe('WaitingWarehouse', () => {
  test('a server that answers at once is used at once, with no waiting reported', async () => {
    const events: string[] = [];
    const warehouse = await WaitingWarehouse.start(options(server(0).open, events));
    expect(warehouse.available).toBe(true);
    expect(warehouse.version).toBe('18.16.1');
    expect(events).toEqual([]);
    await warehouse.close();
  });

  test('an unreachable server is retried with growing pauses, and refuses rows until it answers', async () => {
    const clickhouse = server(3);
    const events: string[] = [];
    const warehouse = await WaitingWarehouse.start(options(clickhouse.open, events));
    expect(warehouse.available).toBe(false);
    expect(warehouse.version).toBe('');
    await expect(warehouse.insert('events', [])).rejects.toMatchObject({ code: 'TW_WAREHOUSE_UNAVAILABLE', message: expect.stringContaining('ECONNREFUSED') });
    await expect(warehouse.query('SELECT 1')).rejects.toMatchObject({ code: 'TW_WAREHOUSE_UNAVAILABLE' });
    await until(() => warehouse.available);
    expect(events).toEqual(['waiting 5', 'waiting 10', 'waiting 20', 'ready']);
    expect(await warehouse.query('SELECT 1')).toEqual([{ ok: 1 }]);
    await warehouse.close();
    expect(clickhouse.closed).toBe(1);
  });

  test('a refusal at start (credentials, a rejected migration) stops the start instead of being waited out', async () => {
    const refusal = new TripwireError('TW_CONFIG_INVALID', 'ClickHouse at http://ch:8123 refused the connection check');
    await expect(WaitingWarehouse.start(options(server(0, refusal).open, []))).rejects.toBe(refusal);
  });

  test('closing while waiting stops the attempts', async () => {
    const clickhouse = server(Number.POSITIVE_INFINITY);
    const warehouse = await WaitingWarehouse.start(options(clickhouse.open, []));
    await until(() => clickhouse.attempts >= 2);
    await warehouse.close();
    const attempts = clickhouse.attempts;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(clickhouse.attempts).toBe(attempts);
  });
});
