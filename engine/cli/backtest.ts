import { readFile, stat } from 'node:fs/promises';
import { runBacktest, type BacktestReport } from '../backtest/index.js';
import { loadConfig } from '../config/index.js';
import { ScenarioCompiler, loadScenarioFolder, type Scenario } from '../scenarios/index.js';
import { parseRequiredTimeRange } from '../warehouse/index.js';
import { openWarehouse } from './open-warehouse.js';
import { UsageError, parseCommandArgs } from './usage-error.js';

const USAGE =
  'usage: tripwire backtest <scenario.yaml|folder>... --from <time> --to <time> [--with <live scenario folder>] [--json]\n' +
  '  a time is a UTC day (2026-11-01), a date-time with its offset (2026-11-01T09:00:00+01:00) or epoch milliseconds\n';

export async function runBacktestCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'tripwire backtest',
    USAGE,
    args,
    { from: { type: 'string' }, to: { type: 'string' }, with: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean' } },
    Infinity,
  );
  if (positionals.length === 0) throw new UsageError('tripwire backtest', 'needs a scenario file or folder', USAGE);
  if (values.from === undefined || values.to === undefined) throw new UsageError('tripwire backtest', 'needs --from and --to', USAGE);
  const range = parseRequiredTimeRange(values.from, values.to);
  const config = await loadConfig();
  const candidates = (await Promise.all(positionals.map(loadScenarios))).flat();
  const live = values.with === undefined ? [] : await loadScenarioFolder(values.with);
  const ids = new Set(candidates.map((scenario) => scenario.id));
  const warehouse = await openWarehouse(config);
  try {
    const report = await runBacktest({
      warehouse,
      scenarios: [...candidates, ...live.filter((scenario) => !ids.has(scenario.id))],
      report: [...ids],
      sites: config.sites.map((site) => ({ key: site.key, name: site.name, url: site.url, from: site.from, requireVerifiedEmail: site.requireVerifiedEmail })),
      caps: config.policies.caps,
      range,
    });
    process.stdout.write(values.json ? `${JSON.stringify({ events: report.events, days: report.days }, null, 2)}\n` : table(report));
  } finally {
    await warehouse.close();
  }
  return 0;
}

async function loadScenarios(path: string): Promise<Scenario[]> {
  if ((await stat(path)).isDirectory()) return loadScenarioFolder(path);
  const scenario = new ScenarioCompiler().compileOrThrow(path, await readFile(path, 'utf8'));
  return scenario === undefined ? [] : [scenario];
}

function table(report: BacktestReport): string {
  const lines = [`${report.events} events replayed`, '', 'day         scenario                         visitors  fired  bought anyway  suppressed'];
  for (const row of report.days) {
    const suppressed = Object.entries(row.suppressed).map(([reason, n]) => `${reason}:${n}`).join(' ');
    lines.push(`${row.day}  ${row.scenario.padEnd(32)} ${String(row.visitors).padStart(8)} ${String(row.fired).padStart(6)} ${String(row.boughtAnyway).padStart(14)}  ${suppressed}`);
  }
  return `${lines.join('\n')}\n`;
}
