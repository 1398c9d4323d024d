import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  k6: string;
  commit: string;
  /** 1-minute load average when the run started and ended; the end is filled in by the caller. */
  loadAverage: { start: number; end: number };
}

/** The machine a run measured, as bench/README.md's tables cite it. */
export function describeMachine(k6: string): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return {
    cpus: cpus().length,
    cpuModel: model.trim(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    k6: quietly(() => execFileSync(k6, ['version'], { encoding: 'utf8' }).trim().split(' ').slice(0, 2).join(' ')),
    commit: quietly(() => execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()),
    loadAverage: { start: loadavg()[0]!, end: Number.NaN },
  };
}

function quietly(read: () => string): string {
  try {
    return read();
  } catch (error) {
    return `unknown (${(error as Error).message.split('\n')[0]})`;
  }
}
