import { loadConfig } from '../config/index.js';
import { checkScenarioFolder, formatProblems } from '../scenarios/index.js';

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
