import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readClickstreamCsv, readNdjsonEvents, replayEvents, type ReplayReport } from './replay/index.js';

/**
 * `npm run bench -- --replay FILE`: the whole engine on embedded defaults (in-process store, chdb)
 * fed FILE as fast as it goes; prints and writes bench/results/replay-latest.{md,json}.
 */
export async function runReplay(file: string, options: { scenarios: string; resultsDir: string }): Promise<ReplayReport> {
  const reading = performance.now();
  const events = file.endsWith('.csv') ? await readClickstreamCsv(file) : await readNdjsonEvents(file);
  console.log(`read ${events.length} events from ${file} in ${((performance.now() - reading) / 1000).toFixed(1)} s; replaying`);
  const dataDir = await mkdtemp(join(tmpdir(), 'tw-replay-'));
  try {
    const report = await replayEvents(events, { config: { dataDir, scenarios: { dir: options.scenarios }, log: { level: 'warn' } } });
    const markdown = renderReplay(file, options.scenarios, report);
    await mkdir(options.resultsDir, { recursive: true });
    await writeFile(join(options.resultsDir, 'replay-latest.json'), `${JSON.stringify({ file, scenarios: options.scenarios, ...report }, null, 2)}\n`);
    await writeFile(join(options.resultsDir, 'replay-latest.md'), markdown);
    console.log(markdown);
    return report;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

function renderReplay(file: string, scenarios: string, report: ReplayReport): string {
  const days = (report.span.to - report.span.from) / 86_400_000;
  const byScenario = new Map<string, Map<string, number>>();
  for (const { scenario, status, count } of report.triggers) {
    const row = byScenario.get(scenario) ?? new Map<string, number>();
    row.set(status, (row.get(status) ?? 0) + count);
    byScenario.set(scenario, row);
  }
  const statuses = [...new Set(report.triggers.map((t) => t.status))].sort();
  return [
    `# Replay of ${file}`,
    '',
    `${report.events.toLocaleString('en-US')} events covering ${days.toFixed(1)} days, scenarios ${scenarios}: ` +
      `${Math.round(report.eventsPerSecond).toLocaleString('en-US')} events/s (${report.seconds.toFixed(1)} s), ` +
      `${report.accepted.toLocaleString('en-US')} accepted, ${report.refused} refused.`,
    '',
    ...(statuses.length === 0
      ? ['No scenario fired.']
      : [
          `| scenario | ${statuses.join(' | ')} |`,
          `|---|${statuses.map(() => '---').join('|')}|`,
          ...[...byScenario].map(([scenario, row]) => `| ${scenario} | ${statuses.map((status) => String(row.get(status) ?? 0)).join(' | ')} |`),
        ]),
    '',
  ].join('\n');
}
