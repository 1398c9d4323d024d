import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The target process as tsc compiles it: the engine runs as `npm start` ships it, not through tsx. */
export const TARGET_ENTRY = fileURLToPath(new URL('../../dist/bench/target/target-process.js', import.meta.url));

/**
 * Compiles the engine and the target process (tsconfig.bench.json) and the tracker bundle the
 * engine serves. Measuring through tsx would count its esbuild `__name` wrappers around every
 * closure, which the shipped build does not have.
 */
export async function buildTarget(): Promise<void> {
  const run = promisify(execFile);
  await run('npm', ['run', '--silent', 'build:tracker'], { cwd: ROOT });
  await run(fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url)), ['-p', 'tsconfig.bench.json'], { cwd: ROOT });
}
