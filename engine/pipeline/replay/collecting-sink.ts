import type { EventSink, WarehouseRows, WarehouseTable } from '../../warehouse/index.js';

/** An EventSink that keeps rows in memory: what a backtest reads its results from. */
export class CollectingSink implements EventSink {
  readonly rows: { [T in WarehouseTable]: Array<WarehouseRows[T]> } = { events: [], triggers: [], deliveries: [], conversions: [] };

  write<T extends WarehouseTable>(table: T, row: WarehouseRows[T]): void {
    (this.rows[table] as Array<WarehouseRows[T]>).push(row);
  }

  get pressure(): boolean {
    return false;
  }

  async whenWritable(): Promise<void> {}

  whenDurable(): undefined {
    return undefined;
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}
