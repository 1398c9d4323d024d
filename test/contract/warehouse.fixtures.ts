import { randomUUID } from 'node:crypto';
import { TripwireError } from '../../engine/errors.js';
import type { ConversionRow, DeliveryRow, EventRow, InsertBatch, TriggerRow, WarehouseBackend, WarehouseRows, WarehouseTable } from '../../engine/warehouse/index.js';

export const T0 = Date.UTC(2025, 2, 14, 9, 26, 53, 589);

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
export async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
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

export async function count(backend: WarehouseBackend, table: WarehouseTable): Promise<number> {
  const [row] = await backend.query<{ n: number }>(`SELECT count() AS n FROM {${table}}`);
  return row?.n ?? 0;
}

/**
 * A real backend whose inserts fail while `failing` is positive: an outage, without stopping a
 * server. While `storedButLost` is positive an insert is stored and then reported as failed, as
 * when the connection breaks before ClickHouse's answer arrives.
 */
export class FlakyBackend implements WarehouseBackend {
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
