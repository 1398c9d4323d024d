import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TripwireError } from '../../errors.js';
import type { Scenario } from '../model.js';
import { ScenarioCompiler, formatProblems, type ScenarioProblem } from './scenario-compiler.js';

export interface FolderCheck {
  scenarios: Scenario[];
  problems: ScenarioProblem[];
}

/**
 * Compiles every .yaml/.yml file of a folder; reports every problem of every file, a file it
 * cannot read among them, and duplicate ids. Dotfiles are left out: editors keep their locks and
 * temporary copies there (Emacs's `.#name.yaml` is a symlink to nowhere).
 */
export async function checkScenarioFolder(dir: string, compiler = new ScenarioCompiler()): Promise<FolderCheck> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => !name.startsWith('.') && /\.ya?ml$/.test(name)).sort();
  } catch (cause) {
    throw new TripwireError('TW_SCENARIO_INVALID', `cannot read the scenario folder ${dir}: ${(cause as Error).message}`, { cause });
  }
  const scenarios: Scenario[] = [];
  const problems: ScenarioProblem[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = join(dir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      // Removed or replaced between the listing and the read (a deploy, an editor), or not a file.
      problems.push({ file, line: 1, column: 1, path: '', message: `cannot read the file: ${(cause as Error).message}` });
      continue;
    }
    const result = compiler.compile(file, text);
    if (!result.ok) {
      problems.push(...result.problems);
      continue;
    }
    const scenario = result.scenario;
    if (scenario === undefined) continue;
    const previous = seen.get(scenario.id);
    if (previous !== undefined) {
      problems.push({ file, line: 1, column: 1, path: 'id', message: `id "${scenario.id}" is already used by ${previous}` });
      continue;
    }
    seen.set(scenario.id, file);
    scenarios.push(scenario);
  }
  return { scenarios, problems };
}

/** Loads a folder for the engine: any problem stops the load with every problem listed. */
export async function loadScenarioFolder(dir: string): Promise<Scenario[]> {
  const { scenarios, problems } = await checkScenarioFolder(dir);
  if (problems.length > 0) throw new TripwireError('TW_SCENARIO_INVALID', formatProblems(problems));
  return scenarios;
}
