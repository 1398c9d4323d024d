import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const BENCH = fileURLToPath(new URL('..', import.meta.url));
const TREND_STATS = 'avg,min,med,max,p(50),p(90),p(95),p(99)';

/** The parts of k6's --summary-export JSON the harness reads. */
export interface K6Summary {
  metrics: Record<string, Record<string, number> & { thresholds?: Record<string, boolean> }>;
}

export interface K6Result {
  summary: K6Summary;
  /** False when k6 exited 99: a threshold was crossed. */
  thresholdsPassed: boolean;
}

/** k6 from $K6, else from bench/install-k6.sh (which finds it on PATH or in the Go bin folder, or builds it). */
export async function findK6(): Promise<string> {
  if (process.env.K6 !== undefined && process.env.K6 !== '') return process.env.K6;
  const { stdout } = await promisify(execFile)('bash', [join(BENCH, 'install-k6.sh')]);
  return stdout.trim();
}

/**
 * Runs one bench/k6 script as a child process with the given environment and returns its
 * end-of-test summary. A crossed threshold is a result, not a failure; any other non-zero exit is.
 */
export async function runK6(
  k6: string,
  script: string,
  env: Record<string, string | number>,
  options: { echo?: boolean; onStart?: (pid: number) => void } = {},
): Promise<K6Result> {
  const dir = await mkdtemp(join(tmpdir(), 'tw-k6-'));
  const summaryFile = join(dir, 'summary.json');
  const args = ['run', '--quiet', '--no-usage-report', '--summary-trend-stats', TREND_STATS, '--summary-export', summaryFile];
  for (const [name, value] of Object.entries(env)) args.push('-e', `${name}=${value}`);
  args.push(join(BENCH, 'k6', script));
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(k6, args, { stdio: ['ignore', options.echo === true ? 'inherit' : 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
        if (options.echo === true) process.stderr.write(chunk);
      });
      child.once('error', reject);
      if (child.pid !== undefined) options.onStart?.(child.pid);
      child.once('exit', (exitCode) => {
        if (exitCode === 0 || exitCode === 99) resolve(exitCode);
        else reject(new Error(`k6 ${script} exited with code ${exitCode}:\n${stderr}`));
      });
    });
    const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as K6Summary;
    return { summary, thresholdsPassed: code === 0 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A metric's field from a summary, e.g. trend(summary, 'popin_latency_ms', 'p(99)'). */
export function summaryValue(summary: K6Summary, metric: string, field: string): number | undefined {
  const value = summary.metrics[metric]?.[field];
  return typeof value === 'number' ? value : undefined;
}
