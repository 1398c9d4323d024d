import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checkScenarioSetup, scenarioSetup } from '../config/compose.js';
import { loadConfig } from '../config/index.js';
import { formatProblems, scenarioJsonSchema } from '../scenarios/index.js';
import { parseCommandArgs } from './usage-error.js';

const CHECK_USAGE = `usage: tripwire check [dir | file.yaml]

  Checks a scenario folder (default: the configured scenarios.dir) with the built-in scenarios the
  config enables (scenarios.pack), the template folder, the scenarios' email actions against it,
  the Liquid of their pop-ins and the audiences of their schedules, as the engine's start would;
  explains each problem and exits 1 if there is one. A file is checked with the other scenarios
  of its folder, as an engine started on that folder would load it (two files with one id clash).
`;

const SCHEMA_USAGE = `usage: tripwire schema

  Prints the JSON Schema of scenario files (docs/scenario.schema.json is this output).
`;

export async function runCheck(args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs('tripwire check', CHECK_USAGE, args, { help: { type: 'boolean' } }, 1);
  const config = await loadConfig();
  const setup = scenarioSetup(config);
  const { scenarios, problems, setup: setupProblems } = await checkScenarioSetup({ ...setup, dir: await scenarioFolderOf(positionals[0] ?? setup.dir) });
  // A scenario that compiled but fails a later check (its templates, its pop-in Liquid) is not ok.
  const failing = new Set(problems.map((problem) => problem.file));
  for (const scenario of scenarios) if (!failing.has(scenario.source)) process.stdout.write(`ok  ${scenario.id}  (${scenario.source})\n`);
  const count = problems.length + setupProblems.length;
  if (count === 0) {
    process.stdout.write(`${scenarios.length} scenarios, no problems\n`);
    return 0;
  }
  const lines = [...setupProblems.map((problem) => problem.message), ...(problems.length > 0 ? [formatProblems(problems)] : [])];
  process.stderr.write(`${lines.join('\n')}\n${count} problem(s)\n`);
  return 1;
}

/** The folder to check for a path given: a scenario file is loaded with its folder's others. */
async function scenarioFolderOf(path: string): Promise<string> {
  const found = await stat(path).catch(() => undefined);
  // Not there: checkScenarioSetup says it cannot read the folder, naming it.
  return found?.isFile() ? dirname(path) : path;
}

/** Prints the JSON Schema of scenario files (docs/scenario.schema.json is this output). */
export async function runSchema(args: string[]): Promise<number> {
  parseCommandArgs('tripwire schema', SCHEMA_USAGE, args, { help: { type: 'boolean' } }, 0);
  process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  return 0;
}
