export type { ChdbWarehouseOptions } from './chdb-warehouse.js';
export { ChdbWarehouse } from './chdb-warehouse.js';
