import type { EventSink, WarehouseRows, WarehouseTable } from '../../warehouse/index.js';

type TableRows = { [T in WarehouseTable]: Array<WarehouseRows[T]> };

/** An EventSink that keeps rows in memory: what a backtest reads its results from. */
export class CollectingSink implements EventSink {
  readonly rows: TableRows = { events: [], triggers: [], deliveries: [], conversions: [] };
  /**
   * Rows of resent events, kept apart: this sink holds every row it was given, so their first
   * copies are in `rows` already (a process that collects rows does not outlive a crash).
   */
  readonly resent: TableRows = { events: [], triggers: [], deliveries: [], conversions: [] };

  write<T extends WarehouseTable>(table: T, row: WarehouseRows[T]): void {
    (this.rows[table] as Array<WarehouseRows[T]>).push(row);
  }

  writeUnlessStored<T extends WarehouseTable>(table: T, row: WarehouseRows[T]): void {
    (this.resent[table] as Array<WarehouseRows[T]>).push(row);
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
