import { isTripwireError } from '../errors.js';
import { scenarioLineOf, type Scenario, type ScenarioProblem, type ScheduleTrigger } from '../scenarios/index.js';
import { SHIPPED_QUERIES, checkParameters, type ShippedQuery } from '../warehouse/index.js';

/** Parameters the scheduler sets itself: the site it sends for, and the send's own time. */
const SET_BY_SCHEDULE = ['as-of'];

/** The shipped queries a schedule can send to: their rows name visitors, and they take a site. */
export function audienceQueries(): ShippedQuery[] {
  return SHIPPED_QUERIES.filter(
    (query) => query.columns.includes('visitor_id') && query.parameters.some((parameter) => parameter.name === 'site'),
  );
}

/** What is wrong with a schedule's audience, or undefined. */
export function audienceProblem(schedule: ScheduleTrigger): string | undefined {
  const { query: name, params } = schedule.audience;
  const audiences = audienceQueries();
  const query = audiences.find((candidate) => candidate.name === name);
  if (query === undefined) return `"${name}" is not an audience query; audiences: ${audiences.map((candidate) => candidate.name).join(', ')}`;
  const fixed = SET_BY_SCHEDULE.filter((parameter) => params[parameter] !== undefined);
  if (fixed.length > 0) return `${fixed.join(', ')} is set by the schedule: each send looks back from its own time`;
  try {
    checkParameters(query, params);
  } catch (error) {
    if (isTripwireError(error) && error.code === 'TW_QUERY_INVALID') return error.message;
    throw error;
  }
  const missing = query.parameters.filter((parameter) => parameter.required === true && (params[parameter.name] ?? '') === '');
  if (missing.length > 0) return `${name} needs ${missing.map((parameter) => `"${parameter.name}"`).join(', ')} in params`;
  return undefined;
}

/**
 * The schedules that name an audience that cannot run, checked when scenarios are loaded (engine
 * start, a reload, `tripwire check`). The scenario compiler cannot tell: the core knows no
 * warehouse, so the check runs where both meet.
 */
export async function checkScenarioSchedules(scenarios: readonly Scenario[]): Promise<ScenarioProblem[]> {
  const problems: ScenarioProblem[] = [];
  const lines = new Map<string, string[]>();
  for (const scenario of scenarios) {
    if (scenario.trigger.kind !== 'schedule') continue;
    const problem = audienceProblem(scenario.trigger);
    if (problem === undefined) continue;
    const at = await scenarioLineOf(scenario.source, 'audience:', lines);
    problems.push({ file: scenario.source, ...at, path: 'when.schedule.audience', message: problem });
  }
  return problems;
}
