import { join } from 'node:path';
import type { TripwireConfig } from '../config/index.js';
import type { WarehouseBackend } from '../warehouse/index.js';
import { ChdbWarehouse } from '../warehouse/chdb/index.js';
import { ServerWarehouse } from '../warehouse/server/index.js';

/** The configured warehouse, for commands that read it (the engine must be stopped to open a chdb folder). */
export function openWarehouse(config: TripwireConfig): Promise<WarehouseBackend> {
  return config.warehouse.clickhouseUrl
    ? ServerWarehouse.connect(config.warehouse.clickhouseUrl, { database: config.warehouse.database })
    : ChdbWarehouse.open(join(config.dataDir, 'chdb'), { database: config.warehouse.database });
}
