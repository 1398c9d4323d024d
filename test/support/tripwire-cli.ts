import { execFile } from 'node:child_process';

export interface CliOutcome {
  /** The exit code; null when the command did not end by itself within the timeout. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `tripwire <args>` as an operator would (engine/cli/main.ts in a process of its own, no
 * config file unless `env` names one) and resolves with how it ended, a failure included. A
 * command still running after `timeoutMs` is killed.
 */
export function tripwireCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliOutcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'engine/cli/main.ts', ...args],
      { env: { ...process.env, TW_CONFIG: '', ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** What an operator reads of a refused command: its exit code, the first line of stderr (what was wrong), and the usage line after it. */
export function refusal(outcome: CliOutcome): { code: number | null; problem: string | undefined; usage: string | undefined } {
  const lines = outcome.stderr.split('\n');
  return { code: outcome.code, problem: lines[0], usage: lines.find((line) => line.startsWith('usage: ')) };
}
