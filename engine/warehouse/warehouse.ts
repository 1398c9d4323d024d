import type { WarehouseRows, WarehouseTable } from './rows.js';

/**
 * A ClickHouse backend: chdb in process, or a ClickHouse server over HTTP. The batching sink
 * above it decides when to insert; a backend inserts one batch per call, never one row.
 */
export interface WarehouseBackend {
  /** Server version as reported by ClickHouse, e.g. "18.16.1" or "26.7.2.1". */
  readonly version: string;
  /** Creates or upgrades the schema; idempotent. */
  migrate(): Promise<void>;
  insert<T extends WarehouseTable>(table: T, rows: readonly WarehouseRows[T][]): Promise<void>;
  /**
   * Runs a read query and returns its rows as objects. Table names are written as
   * `{events}`, `{triggers}`, `{deliveries}` and resolved to the qualified names.
   */
  query<Row = Record<string, unknown>>(sql: string): Promise<Row[]>;
  close(): Promise<void>;
}

/** Where the pipeline writes rows; batches by size and time and flushes on close. */
export interface EventSink {
  write<T extends WarehouseTable>(table: T, row: WarehouseRows[T]): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}
