import { watch, type FSWatcher } from 'node:fs';
import { ScenarioEvaluator } from '../evaluate/scenario-evaluator.js';
import type { Scenario } from '../model.js';
import { isTripwireError, TripwireError } from '../../errors.js';
import { formatProblems, type ScenarioProblem } from './scenario-compiler.js';
import { checkScenarioFolder, type FolderCheck } from './scenario-folder.js';

export interface ScenarioLibraryOptions {
  dir: string;
  /** Scenarios from elsewhere (the built-in pack) served alongside the folder's. */
  extra?: readonly Scenario[];
  /**
   * What else the scenarios must satisfy, outside this core (their email templates exist): its
   * problems stop the start, or keep the previous scenarios in force on a reload.
   */
  check?: (scenarios: readonly Scenario[]) => Promise<ScenarioProblem[]>;
  /** Called after a reload: the problems that kept the previous scenarios in force, or none. */
  onReload?: (result: { scenarios: number; problems: ScenarioProblem[] }) => void;
  /** Called when a reload the watcher started failed otherwise (a defect): the previous scenarios stay in force. */
  onReloadFailed?: (error: unknown) => void;
  debounceMs?: number;
}

/**
 * The scenarios in force, reloaded when a file of the folder changes. A folder with a problem is
 * not loaded: the previous scenarios stay in force and the problems are reported. State is keyed
 * by scenario id, so unchanged scenarios keep their windows and timers across a reload.
 */
export class ScenarioLibrary {
  private evaluator: ScenarioEvaluator;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: ScenarioLibraryOptions,
    scenarios: readonly Scenario[],
  ) {
    this.evaluator = new ScenarioEvaluator(scenarios);
  }

  /** Loads the folder (any problem stops the start, with every problem listed). */
  static async open(options: ScenarioLibraryOptions): Promise<ScenarioLibrary> {
    const { scenarios, problems } = await ScenarioLibrary.check(options);
    if (problems.length > 0) throw new TripwireError('TW_SCENARIO_INVALID', formatProblems(problems));
    return new ScenarioLibrary(options, scenarios);
  }

  /** The scenarios open would serve, and every problem that would stop it (`tripwire check`). */
  static async check(options: Pick<ScenarioLibraryOptions, 'dir' | 'extra' | 'check'>): Promise<FolderCheck> {
    return withExtra(await checkScenarioFolder(options.dir), options);
  }

  current(): ScenarioEvaluator {
    return this.evaluator;
  }

  /** Starts reloading on changes. Nothing a reload meets stops the engine: it is reported. */
  watch(): void {
    const failed = (error: unknown): void => this.options.onReloadFailed?.(error);
    this.watcher = watch(this.options.dir, () => {
      clearTimeout(this.timer);
      // Editors write a file in several steps: wait for the folder to settle.
      this.timer = setTimeout(() => void this.reload().catch(failed), this.options.debounceMs ?? 150);
    });
    // An FSWatcher without an error listener throws its error (the folder removed, say) out of the event loop.
    this.watcher.on('error', failed);
  }

  /** Checks the folder again and puts it in force, unless it has problems, which are returned. */
  async reload(): Promise<ScenarioProblem[]> {
    const { scenarios, problems } = await withExtra(await this.checkFolder(), this.options);
    if (problems.length === 0) this.evaluator = new ScenarioEvaluator(scenarios);
    this.options.onReload?.({ scenarios: this.evaluator.scenarios.length, problems });
    return problems;
  }

  /** A folder it cannot read (moved away during a deploy) is a problem like a file's. */
  private async checkFolder(): Promise<FolderCheck> {
    try {
      return await checkScenarioFolder(this.options.dir);
    } catch (error) {
      if (!isTripwireError(error)) throw error;
      return { scenarios: [], problems: [{ file: this.options.dir, line: 1, column: 1, path: '', message: error.message }] };
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }
}

/**
 * The folder's scenarios with the extra ones, and the options' check run on those that compiled
 * even when others did not: every problem is listed at once, not one kind per run.
 */
async function withExtra(folder: FolderCheck, options: Pick<ScenarioLibraryOptions, 'extra' | 'check'>): Promise<FolderCheck> {
  const problems = [...folder.problems];
  const all = merge(folder.scenarios, options.extra ?? [], problems);
  problems.push(...((await options.check?.(all)) ?? []));
  return { scenarios: all, problems };
}

/** The problem names both files: the folder's, which the user can rename, and the built-in one, which can be left out. */
function merge(folder: readonly Scenario[], extra: readonly Scenario[], problems: ScenarioProblem[]): Scenario[] {
  const sources = new Map(folder.map((scenario) => [scenario.id, scenario.source]));
  for (const scenario of extra) {
    const source = sources.get(scenario.id);
    if (source !== undefined) {
      problems.push({
        file: source,
        line: 1,
        column: 1,
        path: 'id',
        message: `id "${scenario.id}" is defined twice: in this file and in the built-in ${scenario.source} (scenarios.pack); rename this one or leave that one out of scenarios.pack`,
      });
    }
  }
  return [...folder, ...extra.filter((scenario) => !sources.has(scenario.id))];
}
