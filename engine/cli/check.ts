import { loadConfig } from '../config/index.js';
import { checkScenarioFolder, formatProblems, scenarioJsonSchema } from '../scenarios/index.js';

export async function runCheck(args: string[]): Promise<number> {
  const dir = args[0] ?? (await loadConfig()).scenarios.dir;
  const { scenarios, problems } = await checkScenarioFolder(dir);
  for (const scenario of scenarios) process.stdout.write(`ok  ${scenario.id}  (${scenario.source})\n`);
  if (problems.length === 0) {
    process.stdout.write(`${scenarios.length} scenarios, no problems\n`);
    return 0;
  }
  process.stderr.write(`${formatProblems(problems)}\n${problems.length} problem(s)\n`);
  return 1;
}

/** Prints the JSON Schema of scenario files (docs/scenario.schema.json is this output). */
export async function runSchema(): Promise<number> {
  process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  return 0;
}
