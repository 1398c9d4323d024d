import type { WarehouseBackend } from '../../engine/warehouse/index.js';

/**
 * A warehouse that accepts every batch and keeps nothing: the engine is measured with its
 * batching sink running but without ClickHouse's cost, which a later step adds back.
 */
export class DiscardWarehouse implements WarehouseBackend {
  readonly version = 'discarded (benchmark)';
  rowsDiscarded = 0;

  async migrate(): Promise<void> {}

  async insert(_table: string, rows: readonly unknown[]): Promise<void> {
    this.rowsDiscarded += rows.length;
  }

  async query<Row>(): Promise<Row[]> {
    return [];
  }

  async close(): Promise<void> {}
}
