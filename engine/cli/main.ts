#!/usr/bin/env node
import { isTripwireError } from '../errors.js';
import { runCheck } from './check.js';
import { runQuery } from './query.js';
import { runStart } from './start.js';

const USAGE = `usage: tripwire <command>

  start                 run the engine (config from $TW_CONFIG and the environment; see README)
  check [dir]           check a scenario folder (default: the configured one) and explain each error
  query <name>          run an analyst query: events-per-type | popins-per-scenario
`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  start: runStart,
  check: runCheck,
  query: runQuery,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : commands[name];
  if (command === undefined) {
    process.stderr.write(USAGE);
    return name === undefined || name === '--help' ? 0 : 2;
  }
  return command(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isTripwireError(error)) process.stderr.write(`tripwire: ${error.code}: ${error.message}\n  hint: ${error.hint}\n`);
    else process.stderr.write(`tripwire: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
