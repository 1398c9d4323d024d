import { loadConfig } from '../config/index.js';
import { TripwireError } from '../errors.js';
import {
  EXPORT_FORMATS,
  SHIPPED_QUERIES,
  checkParameters,
  shippedQuery,
  toCsv,
  type AudienceSuppressions,
  type ExportFormat,
  type QueryParams,
} from '../warehouse/index.js';
import { openSuppressions } from './open-suppressions.js';
import { openWarehouse } from './open-warehouse.js';
import { UsageError, parseCommandArgs } from './usage-error.js';

function usage(): string {
  const lines = ['usage: tripwire query <name> [--format json|csv] [--<parameter> <value> ...]', '', 'queries:'];
  for (const query of SHIPPED_QUERIES) {
    lines.push(`  ${query.name}`, `      ${query.description}`);
    for (const parameter of query.parameters) lines.push(`      --${parameter.name.padEnd(9)} ${parameter.description}${parameter.required ? ' (required)' : ''}`);
  }
  lines.push('', 'Reads the configured warehouse (CLICKHOUSE_URL, or the chdb folder in TW_DATA_DIR: stop the engine first).', '');
  return lines.join('\n');
}

/** `tripwire query <name> [--format json|csv] [--from ... --to ... ...]`: rows on stdout. */
export async function runQuery(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return 0;
  }
  if (name === undefined) throw new UsageError('tripwire query', 'which query?', usage());
  if (name.startsWith('-')) throw new UsageError('tripwire query', `the query name comes first, then its parameters: not ${name}`, usage());
  const query = shippedQuery(name);
  // The query's own parameters and --format, written --name value or --name=value; any other flag is a typo.
  const options = Object.fromEntries([...query.parameters.map((parameter) => parameter.name), 'format'].map((flag) => [flag, { type: 'string' as const }]));
  const { values } = parseCommandArgs('tripwire query', usage(), rest, { ...options, help: { type: 'boolean' } }, 0);
  // Options built at run time: parseArgs cannot type them, but each is a string (--help was handled).
  const { help: _help, format = 'json', ...params } = values as { help?: boolean; format?: string } & QueryParams;
  if (!EXPORT_FORMATS.includes(format as ExportFormat)) {
    throw new TripwireError('TW_QUERY_INVALID', `--format "${format}" is not one of ${EXPORT_FORMATS.join(', ')}.`);
  }
  checkParameters(query, params as QueryParams);
  const config = await loadConfig();
  // An audience's first, and never creating the data folder: where no engine keeps its files, it
  // is refused before any server is asked. The other queries read only the warehouse.
  const suppressions = query.readsSuppressions ? await openSuppressions(config, { createDataDir: false }) : undefined;
  try {
    const warehouse = await openWarehouse(config);
    try {
      const rows = await query.run(warehouse, params, Date.now(), suppressions?.list ?? SUPPRESSIONS_NOT_READ);
      process.stdout.write(format === 'csv' ? toCsv(rows, query.columns) : `${JSON.stringify(rows, null, 2)}\n`);
    } finally {
      await warehouse.close();
    }
  } finally {
    await suppressions?.close();
  }
  return 0;
}

/** What a query that does not read the suppression list is given: reading it would be a defect of the query's declaration. */
const SUPPRESSIONS_NOT_READ: AudienceSuppressions = {
  list: () => Promise.reject(new TripwireError('TW_INTERNAL', 'this query reads the suppression list but does not declare it (readsSuppressions)')),
};
