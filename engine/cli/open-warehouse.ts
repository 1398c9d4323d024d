import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { engineRunningOn, type TripwireConfig } from '../config/index.js';
import { TripwireError } from '../errors.js';
import type { WarehouseBackend } from '../warehouse/index.js';
import { ChdbWarehouse } from '../warehouse/chdb/index.js';
import { ServerWarehouse } from '../warehouse/server/index.js';

/**
 * The configured warehouse, for commands that read it. An embedded one is opened only where an
 * engine stored events and none runs now: opening a folder that is not there would create an
 * empty warehouse (and answer "Database tripwire does not exist"), and chdb opens a folder in one
 * process at a time, so a running engine's would fail with chdb's own words.
 */
export async function openWarehouse(config: TripwireConfig): Promise<WarehouseBackend> {
  if (config.warehouse.clickhouseUrl) return ServerWarehouse.connect(config.warehouse.clickhouseUrl, { database: config.warehouse.database });
  const dataDir = resolve(config.dataDir);
  const folder = join(dataDir, 'chdb');
  if (!(await isFolder(folder))) {
    throw new TripwireError(
      'TW_CONFIG_INVALID',
      `No embedded warehouse at ${folder}: no engine has stored events in the data folder ${dataDir} (TW_DATA_DIR, "${config.dataDir}" from ${process.cwd()}). Run this in the engine's folder, set TW_DATA_DIR to its data folder, or CLICKHOUSE_URL to its ClickHouse server.`,
    );
  }
  const engine = await engineRunningOn(dataDir);
  if (engine !== undefined) {
    throw new TripwireError(
      'TW_WAREHOUSE_IN_USE',
      `An engine (pid ${engine.pid} on ${engine.host}, running since ${engine.startedAt}) is running on the data folder ${dataDir} (${join(dataDir, 'engine.lock')}), and holds its embedded warehouse ${folder}, which one process at a time can open. Stop that engine first, or ask it, with the admin token (Authorization: Bearer $TW_ADMIN_TOKEN): the analyst queries answer at GET /api/queries/<name>, backtests at POST /api/backtest.`,
    );
  }
  return ChdbWarehouse.open(folder, { database: config.warehouse.database });
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
