/**
 * `npm run bench:smoke`: every bench/k6 script for a few seconds against a freshly started
 * engine on embedded defaults, so the scripts cannot rot. Thresholds are on errors only (frames
 * refused or unanswered, pop-ins missing), never on speed; exits non-zero when one is crossed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../engine/config/index.js';
import { startEngine } from '../engine/config/compose.js';
import { findK6, runK6, summaryValue } from './harness/index.js';

const LENIENT = { P99_MS: 60_000, MAX_RSS_MB: 65_536 };

const RUNS: Array<{ script: string; env: Record<string, string | number>; check: string }> = [
  { script: 'ingest.js', env: { RATE: 20, DURATION: '4s', FRAMES: 5, EVENTS: 2, THINK_MS: 100 }, check: 'frame_errors' },
  { script: 'popin-latency.js', env: { PROBE_RATE: 5, BG_RATE: 5, DURATION: '4s', ...LENIENT }, check: 'popin_missed' },
  { script: 'soak.js', env: { RATE: 10, DURATION: '4s', FRAMES: 3, THINK_MS: 100, SAMPLE_EVERY: 1, ...LENIENT }, check: 'frame_errors' },
  { script: 'saturate.js', env: { VUS: 4, DURATION: '3s', FRAMES: 20, EVENTS: 5, WINDOW: 2 }, check: 'frames_failed' },
];

async function main(): Promise<number> {
  const k6 = await findK6();
  const dataDir = await mkdtemp(join(tmpdir(), 'tw-bench-smoke-'));
  const engine = await startEngine(parseConfig({ server: { host: '127.0.0.1', port: 0 }, dataDir, log: { level: 'warn' } }));
  let failed = 0;
  try {
    for (const run of RUNS) {
      const { summary, thresholdsPassed } = await runK6(k6, run.script, { TARGET: `http://127.0.0.1:${engine.port}`, ...run.env });
      const acked = summaryValue(summary, 'events_acked', 'count') ?? 0;
      const rate = summaryValue(summary, run.check, 'value') ?? summaryValue(summary, run.check, 'count');
      const verdict = thresholdsPassed ? 'ok  ' : 'FAIL';
      console.log(`${verdict} ${run.script.padEnd(17)} events acked ${String(acked).padStart(6)}  ${run.check} ${rate ?? 'n/a'}`);
      if (!thresholdsPassed) failed++;
    }
  } finally {
    await engine.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  if (failed > 0) console.error(`bench:smoke: ${failed} k6 script(s) crossed their error thresholds`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
