import { join } from 'node:path';
import { loadConfig, type TripwireConfig } from '../config/index.js';
import { TripwireError } from '../errors.js';
import {
  EXPORT_FORMATS,
  SHIPPED_QUERIES,
  checkParameters,
  shippedQuery,
  toCsv,
  type ExportFormat,
  type QueryParams,
  type WarehouseBackend,
} from '../warehouse/index.js';
import { ChdbWarehouse } from '../warehouse/chdb/index.js';
import { ServerWarehouse } from '../warehouse/server/index.js';
import { openSuppressions } from './open-suppressions.js';

function usage(): string {
  const lines = ['usage: tripwire query <name> [--format json|csv] [--<parameter> <value> ...]', '', 'queries:'];
  for (const query of SHIPPED_QUERIES) {
    lines.push(`  ${query.name}`, `      ${query.description}`);
    for (const parameter of query.parameters) lines.push(`      --${parameter.name.padEnd(9)} ${parameter.description}${parameter.required ? ' (required)' : ''}`);
  }
  lines.push('', 'Reads the configured warehouse (CLICKHOUSE_URL, or the chdb folder in TW_DATA_DIR: stop the engine first).', '');
  return lines.join('\n');
}

/** `--name value` and `--name=value` pairs; anything else is a usage error. */
function parseFlags(args: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(args[i]!);
    if (!match) throw new TripwireError('TW_QUERY_INVALID', `Unexpected argument "${args[i]}"; parameters are written --name value.`);
    const value = match[2] ?? args[++i];
    if (value === undefined) throw new TripwireError('TW_QUERY_INVALID', `--${match[1]} needs a value.`);
    flags[match[1]!] = value;
  }
  return flags;
}

async function openWarehouse(config: TripwireConfig): Promise<WarehouseBackend> {
  return config.warehouse.clickhouseUrl
    ? ServerWarehouse.connect(config.warehouse.clickhouseUrl, { database: config.warehouse.database })
    : ChdbWarehouse.open(join(config.dataDir, 'chdb'), { database: config.warehouse.database });
}

/** `tripwire query <name> [--format json|csv] [--from ... --to ... ...]`: rows on stdout. */
export async function runQuery(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const query = shippedQuery(name);
  const { format = 'json', ...params } = parseFlags(rest);
  if (!EXPORT_FORMATS.includes(format as ExportFormat)) {
    throw new TripwireError('TW_QUERY_INVALID', `--format "${format}" is not one of ${EXPORT_FORMATS.join(', ')}.`);
  }
  checkParameters(query, params as QueryParams);
  const config = await loadConfig();
  const warehouse = await openWarehouse(config);
  try {
    const suppressions = await openSuppressions(config);
    try {
      const rows = await query.run(warehouse, params, Date.now(), suppressions.list);
      process.stdout.write(format === 'csv' ? toCsv(rows, query.columns) : `${JSON.stringify(rows, null, 2)}\n`);
    } finally {
      await suppressions.close();
    }
  } finally {
    await warehouse.close();
  }
  return 0;
}
