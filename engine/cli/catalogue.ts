import { readFeedFile, type ProductUpdate } from '../catalogue/index.js';
import { loadConfig } from '../config/index.js';
import { TripwireError } from '../errors.js';
import { UsageError, parseCommandArgs } from './usage-error.js';

const USAGE = `usage: tripwire catalogue import <site> <file.json|file.ndjson|file.csv> [--url <engine url>] [--batch <rows>]

  Validates every row of the file, then sends it to the running engine's catalogue feed
  (POST /catalogue/<site>/products) in batches, authenticated with the site's secret from the
  configuration. Price drops and returns to stock are fanned out as the feed API does.
  --url    the engine (default: server.publicUrl, else http://localhost:<server.port>)
  --batch  rows per request (default 1000)
`;

export interface ImportRequest {
  engineUrl: string;
  site: string;
  secret: string;
  rows: readonly ProductUpdate[];
  batch: number;
}

export interface ImportTotals {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  changes: number;
  events: number;
}

export async function runCatalogue(args: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs('tripwire catalogue', USAGE, args, { url: { type: 'string' }, batch: { type: 'string' }, help: { type: 'boolean' } }, 3);
  const [command, site, file] = positionals;
  if (command !== 'import') throw new UsageError('tripwire catalogue', command === undefined ? 'which command?' : `unknown command ${command}`, USAGE);
  if (site === undefined || file === undefined) throw new UsageError('tripwire catalogue', 'import needs a site key and a file', USAGE);
  const config = await loadConfig();
  const siteConfig = config.sites.find((candidate) => candidate.key === site);
  if (siteConfig === undefined) {
    throw new TripwireError('TW_UNKNOWN_SITE', `site "${site}" is not configured (configured: ${config.sites.map((s) => s.key).join(', ')})`);
  }
  const batch = values.batch === undefined ? 1000 : Number(values.batch);
  if (!Number.isInteger(batch) || batch < 1) throw new TripwireError('TW_CONFIG_INVALID', `--batch "${values.batch}" is not a positive whole number`);
  const rows = await readFeedFile(file);
  const engineUrl = values.url ?? config.server.publicUrl ?? `http://localhost:${config.server.port}`;
  const totals = await importCatalogue({ engineUrl, site, secret: siteConfig.secret, rows, batch });
  process.stdout.write(
    `${totals.rows} rows: ${totals.created} created, ${totals.updated} updated, ${totals.unchanged} unchanged; ` +
      `${totals.changes} changes fanned out as ${totals.events} visitor events\n`,
  );
  return 0;
}

/** Sends validated rows to the engine's feed, batch by batch; a rejected batch stops the import and names its rows. */
export async function importCatalogue(request: ImportRequest): Promise<ImportTotals> {
  const totals: ImportTotals = { rows: 0, created: 0, updated: 0, unchanged: 0, changes: 0, events: 0 };
  const endpoint = new URL(`/catalogue/${encodeURIComponent(request.site)}/products`, request.engineUrl);
  for (let start = 0; start < request.rows.length; start += request.batch) {
    const rows = request.rows.slice(start, start + request.batch);
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${request.secret}` },
        body: JSON.stringify(rows),
      });
    } catch (cause) {
      throw new TripwireError('TW_ENGINE_UNREACHABLE', `cannot reach the engine at ${endpoint.origin} (is it running? use --url): ${(cause as Error).message}`, { cause });
    }
    const answer = (await response.json()) as Record<string, unknown>;
    if (!response.ok) {
      const rowsLabel = `rows ${start + 1}-${start + rows.length}`;
      const message = String(answer.m ?? response.statusText).replace(/products\[(\d+)\]/g, (_, index: string) => `row ${start + Number(index) + 1}`);
      const code = response.status === 401 ? 'TW_UNAUTHORIZED' : response.status === 400 ? 'TW_CATALOGUE_INVALID' : 'TW_STORE_UNAVAILABLE';
      throw new TripwireError(code, `${rowsLabel} were refused (HTTP ${response.status}${start > 0 ? `; rows 1-${start} were imported` : ''}): ${message}`);
    }
    totals.rows += rows.length;
    totals.created += Number(answer.created ?? 0);
    totals.updated += Number(answer.updated ?? 0);
    totals.unchanged += Number(answer.unchanged ?? 0);
    totals.changes += Array.isArray(answer.changes) ? answer.changes.length : 0;
    totals.events += Number(answer.events ?? 0);
  }
  return totals;
}
