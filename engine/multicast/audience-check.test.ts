import { describe, expect, test } from 'vitest';
import { ScenarioCompiler, type Scenario, type ScheduleTrigger } from '../scenarios/index.js';
import { audienceProblem, audienceQueries, checkScenarioSchedules } from './audience-check.js';

const compiler = new ScenarioCompiler();

function scheduled(audience: string, schedule = 'every: 7d'): Scenario {
  return compiler.compileOrThrow('weekly.yaml', `id: weekly\nwhen:\n  schedule:\n    ${schedule}\n    audience: ${audience}\nthen: { email: { template: new-arrivals } }\n`)!;
}

const trigger = (scenario: Scenario) => scenario.trigger as ScheduleTrigger;

describe('a schedule in a scenario file', () => {
  test('compiles to a period, a local time of day, a zone, a first day and an audience', () => {
    const scenario = scheduled('{ query: audience-category-viewers, params: { category: mugs, days: 30 } }', 'every: 1w\n    at: "09:30"\n    timezone: Europe/Paris');

    expect(scenario.trigger).toEqual({
      kind: 'schedule',
      every: 7 * 86_400_000,
      at: 9 * 60 + 30,
      timezone: 'Europe/Paris',
      starting: '2024-01-01',
      audience: { query: 'audience-category-viewers', params: { category: 'mugs', days: '30' } },
    });
  });

  test.each([
    ['every: 12h', 'when.schedule.every', 'whole number of days'],
    ['every: 1d\n    at: "25:00"', 'when.schedule.at', 'HH:MM'],
    ['every: 1d\n    timezone: Mars/Olympus', 'when.schedule.timezone', 'IANA time zone'],
    ['every: 1d\n    starting: next monday', 'when.schedule.starting', 'YYYY-MM-DD'],
    ['every: 1d\n    starting: "2026-02-30"', 'when.schedule.starting', 'YYYY-MM-DD'],
  ])('refuses %j, naming the setting', (schedule, path, message) => {
    const result = compiler.compile('weekly.yaml', `id: weekly\nwhen:\n  schedule:\n    ${schedule}\n    audience: { query: audience-cart-abandoners }\nthen: { email: { template: t } }\n`);

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toEqual([expect.objectContaining({ path, message: expect.stringContaining(message) })]);
  });
});

describe('the audience of a schedule', () => {
  test('is one of the shipped queries whose rows are visitors of a site', () => {
    expect(audienceQueries().map((query) => query.name)).toEqual(['audience-category-viewers', 'audience-cart-abandoners']);
  });

  test('runs when the query and its parameters are known', () => {
    expect(audienceProblem(trigger(scheduled('{ query: audience-cart-abandoners, params: { days: 3 } }')))).toBeUndefined();
  });

  test('must name an audience query', () => {
    expect(audienceProblem(trigger(scheduled('{ query: funnel }')))).toMatch(/"funnel" is not an audience query; audiences: audience-category-viewers/);
  });

  test('must give the query its required parameters', () => {
    expect(audienceProblem(trigger(scheduled('{ query: audience-category-viewers }')))).toBe('audience-category-viewers needs "category" in params');
  });

  test('may not give a parameter the query does not take', () => {
    expect(audienceProblem(trigger(scheduled('{ query: audience-cart-abandoners, params: { category: mugs } }')))).toContain('takes no parameter "category"');
  });

  test('leaves the look-back\'s end to the schedule', () => {
    expect(audienceProblem(trigger(scheduled('{ query: audience-cart-abandoners, params: { as-of: "2026-01-01" } }')))).toContain('as-of is set by the schedule');
  });

  test('that cannot run is a problem of the scenario file, at its audience', async () => {
    expect(await checkScenarioSchedules([scheduled('{ query: funnel }')])).toEqual([
      expect.objectContaining({ file: 'weekly.yaml', path: 'when.schedule.audience', message: expect.stringMatching(/^"funnel" is not an audience query/) }),
    ]);
  });
});
