import type { WarehouseRows, WarehouseTable } from './rows.js';

/** A batch's identity, stable across retries, spills and restarts. */
export interface InsertBatch {
  readonly id: string;
  /** The batch may already be stored, wholly or in part (an earlier attempt's outcome is unknown). */
  readonly replay: boolean;
}

/**
 * A ClickHouse backend: chdb in process, or a ClickHouse server over HTTP. The batching sink
 * above it decides when to insert; a backend inserts one batch per call, never one row.
 */
export interface WarehouseBackend {
  /** Server version as reported by ClickHouse, e.g. "18.16.1" or "26.7.2.1". */
  readonly version: string;
  /** Creates or upgrades the schema; idempotent. */
  migrate(): Promise<void>;
  /**
   * Inserts one batch. With `batch`, the insert is idempotent: its id is the deduplication token
   * where the server has one, and a `replay` first leaves out rows the table already holds.
   */
  insert<T extends WarehouseTable>(table: T, rows: readonly WarehouseRows[T][], batch?: InsertBatch): Promise<void>;
  /**
   * Runs a read query and returns its rows as objects. Table names are written as
   * `{events}`, `{triggers}`, `{deliveries}`, `{conversions}` and resolved to the qualified names,
   * in the SQL text only: inside string literals, quoted identifiers and comments they stay as written.
   */
  query<Row = Record<string, unknown>>(sql: string): Promise<Row[]>;
  close(): Promise<void>;
}

/** Where the pipeline writes rows; batches by size and time and flushes on close. */
export interface EventSink {
  /** Never refuses a row; past the high-water mark it only raises `pressure`. */
  write<T extends WarehouseTable>(table: T, row: WarehouseRows[T]): void;
  /** True while more rows wait in memory than the sink wants to hold. */
  readonly pressure: boolean;
  /** Resolves once the sink is below its high-water mark: await it before acknowledging what was written. */
  whenWritable(): Promise<void>;
  /**
   * The journal append of every row written so far (group commit: one per event-loop turn):
   * resolves once they would survive a crash of the process or, when the append failed, once they
   * are kept in memory (the failure is reported by the sink); it never rejects. Await it before
   * acknowledging (acking, settling) what was written. Undefined when nothing waits.
   */
  whenDurable(): Promise<void> | undefined;
  flush(): Promise<void>;
  close(): Promise<void>;
}
