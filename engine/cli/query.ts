import { join } from 'node:path';
import { loadConfig } from '../config/index.js';
import { eventsPerType, popinsShownPerScenario, runQuery as run, type WarehouseBackend, type WarehouseQuery } from '../warehouse/index.js';
import { ChdbWarehouse } from '../warehouse/chdb/index.js';
import { ServerWarehouse } from '../warehouse/server/index.js';

const QUERIES: Record<string, () => WarehouseQuery<object>> = {
  'events-per-type': eventsPerType,
  'popins-per-scenario': popinsShownPerScenario,
};

export async function runQuery(args: string[]): Promise<number> {
  const name = args[0];
  const query = name === undefined ? undefined : QUERIES[name];
  if (query === undefined) {
    process.stderr.write(`usage: tripwire query <${Object.keys(QUERIES).join(' | ')}>\n`);
    return 2;
  }
  const config = await loadConfig();
  const warehouse: WarehouseBackend = config.warehouse.clickhouseUrl
    ? await ServerWarehouse.connect(config.warehouse.clickhouseUrl, { database: config.warehouse.database })
    : await ChdbWarehouse.open(join(config.dataDir, 'chdb'), { database: config.warehouse.database });
  try {
    const rows = await run(warehouse, query());
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
  } finally {
    await warehouse.close();
  }
  return 0;
}
