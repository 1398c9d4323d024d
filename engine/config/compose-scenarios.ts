import { checkScenarioPopins } from '../channels/popin/index.js';
import { checkScenarioEmails, checkTemplates } from '../channels/templates/index.js';
import { TripwireError, isTripwireError } from '../errors.js';
import { checkScenarioSchedules } from '../multicast/index.js';
import { ScenarioLibrary, type FolderCheck, type Scenario, type ScenarioLibraryOptions, type ScenarioProblem } from '../scenarios/index.js';
import { loadPack } from '../scenarios/pack/index.js';
import type { TripwireConfig } from './schema.js';

/** Where the engine's scenarios come from and what they are checked against. */
export interface ScenarioSetup {
  /** The scenario folder. */
  dir: string;
  templatesDir: string;
  /** The built-in scenarios enabled (`scenarios.pack`). */
  pack: readonly string[] | 'all';
}

export interface SetupCheck extends FolderCheck {
  /** Problems outside the scenario files: the template folder's, and pack names the pack does not have. */
  setup: TripwireError[];
}

export function scenarioSetup(config: TripwireConfig): ScenarioSetup {
  return { dir: config.scenarios.dir, templatesDir: config.templates.dir, pack: config.scenarios.pack };
}

/**
 * Opens the scenarios for the engine's start: a template of the folder that does not parse, an
 * unknown pack name or a problem of any scenario stops it. `tripwire check` lists the same
 * problems through checkScenarioSetup.
 */
export async function composeScenarios(setup: ScenarioSetup, reports: Pick<ScenarioLibraryOptions, 'onReload' | 'onReloadFailed'>): Promise<ScenarioLibrary> {
  // A broken template is found now, not by the first email that needs it.
  const templateProblems = await checkTemplates(setup.templatesDir);
  if (templateProblems.length > 0) throw new TripwireError('TW_TEMPLATE_INVALID', templateProblems.map((problem) => problem.message).join('\n'));
  return ScenarioLibrary.open({ dir: setup.dir, extra: await loadPack(setup.pack), check: outsideChecks(setup), ...reports });
}

/** Every problem the engine's start would stop at, all listed rather than the first kind met. */
export async function checkScenarioSetup(setup: ScenarioSetup): Promise<SetupCheck> {
  const setupProblems = await checkTemplates(setup.templatesDir);
  let extra: Scenario[] = [];
  try {
    extra = await loadPack(setup.pack);
  } catch (error) {
    // A name the pack does not have: the folder is still checked, alone.
    if (!isTripwireError(error) || error.code !== 'TW_SCENARIO_INVALID') throw error;
    setupProblems.push(error);
  }
  const { scenarios, problems } = await ScenarioLibrary.check({ dir: setup.dir, extra, check: outsideChecks(setup) });
  return { scenarios, problems, setup: setupProblems };
}

/** What the scenarios must satisfy outside the core, at the start, on a reload and in `tripwire check`. */
function outsideChecks(setup: ScenarioSetup): (scenarios: readonly Scenario[]) => Promise<ScenarioProblem[]> {
  return async (scenarios) => [
    ...(await checkScenarioEmails(scenarios, setup.templatesDir)),
    ...(await checkScenarioPopins(scenarios)),
    ...(await checkScenarioSchedules(scenarios)),
  ];
}
