export type { ServerWarehouseOptions } from './server-warehouse.js';
export { ServerWarehouse } from './server-warehouse.js';
