import { checkScenarioEmails } from '../channels/templates/index.js';
import { loadConfig } from '../config/index.js';
import { checkScenarioFolder, formatProblems, scenarioJsonSchema, type FolderCheck } from '../scenarios/index.js';
import { parseCommandArgs } from './usage-error.js';

const CHECK_USAGE = `usage: tripwire check [dir]

  Checks a scenario folder (default: the configured scenarios.dir), and its email actions against
  the template folder, as the engine's start would; explains each problem and exits 1 if there is one.
`;

const SCHEMA_USAGE = `usage: tripwire schema

  Prints the JSON Schema of scenario files (docs/scenario.schema.json is this output).
`;

export async function runCheck(args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs('tripwire check', CHECK_USAGE, args, { help: { type: 'boolean' } }, 1);
  const config = await loadConfig();
  const { scenarios, problems } = await checkScenarios(positionals[0] ?? config.scenarios.dir, config.templates.dir);
  for (const scenario of scenarios) process.stdout.write(`ok  ${scenario.id}  (${scenario.source})\n`);
  if (problems.length === 0) {
    process.stdout.write(`${scenarios.length} scenarios, no problems\n`);
    return 0;
  }
  process.stderr.write(`${formatProblems(problems)}\n${problems.length} problem(s)\n`);
  return 1;
}

/** The folder's problems, and those of its email actions against the template folder, as the engine's start would find them. */
export async function checkScenarios(dir: string, templatesDir: string): Promise<FolderCheck> {
  const { scenarios, problems } = await checkScenarioFolder(dir);
  return { scenarios, problems: [...problems, ...(await checkScenarioEmails(scenarios, templatesDir))] };
}

/** Prints the JSON Schema of scenario files (docs/scenario.schema.json is this output). */
export async function runSchema(args: string[]): Promise<number> {
  parseCommandArgs('tripwire schema', SCHEMA_USAGE, args, { help: { type: 'boolean' } }, 0);
  process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  return 0;
}
