import { checkScenarioEmails } from '../channels/templates/index.js';
import { loadConfig } from '../config/index.js';
import { checkScenarioFolder, formatProblems, scenarioJsonSchema, type FolderCheck } from '../scenarios/index.js';

export async function runCheck(args: string[]): Promise<number> {
  const config = await loadConfig();
  const { scenarios, problems } = await checkScenarios(args[0] ?? config.scenarios.dir, config.templates.dir);
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
export async function runSchema(): Promise<number> {
  process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  return 0;
}
