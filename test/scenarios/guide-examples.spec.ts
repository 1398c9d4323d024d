import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../engine/config/index.js';
import { ENGINE_EVENT_TYPES, EVENT_TYPES } from '../../engine/protocol/index.js';
import { ScenarioCompiler, formatProblems } from '../../engine/scenarios/index.js';

/**
 * Every ```yaml example of the guides compiles, so that a marketer who copies one gets a scenario,
 * not a TW_SCENARIO_INVALID. A whole scenario (it has an `id`) compiles as it is; a fragment is
 * put into the smallest scenario around it; a block of engine settings is parsed as the config.
 */
const GUIDES = ['README.md', 'docs/scenarios.md', 'docs/catalogue.md', 'docs/tracker.md'];
const CONFIG_SECTIONS = ['policies', 'scenarios', 'sites'];

interface Example {
  guide: string;
  line: number;
  yaml: string;
  firstKey: string;
}

async function examples(guide: string): Promise<Example[]> {
  const text = await readFile(guide, 'utf8');
  const found: Example[] = [];
  for (const match of text.matchAll(/```yaml\n([\s\S]*?)```/g)) {
    const yaml = match[1]!;
    const first = yaml.split('\n').find((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))!;
    // An indented block continues the example above it (another `form:` for the same pop-in).
    if (/^\s/.test(first)) continue;
    found.push({ guide, line: text.slice(0, match.index).split('\n').length + 1, yaml, firstKey: first.split(':')[0]! });
  }
  return found;
}

const indent = (yaml: string, by: string) => yaml.replace(/^(?=.)/gm, by);
const ANY_TRIGGER = 'when:\n  count: { event: product, atLeast: 1, within: 1h }\n';
const ANY_ACTION = 'then:\n  popin: { title: Hello }\n';

function asScenario(example: Example): string {
  switch (example.firstKey) {
    case 'id':
      return example.yaml;
    case 'when':
      return `id: guide-example\n${example.yaml}${ANY_ACTION}`;
    case 'then':
    case 'journey':
    case 'control':
      return `id: guide-example\n${ANY_TRIGGER}${example.yaml}`;
    case 'where':
      return `id: guide-example\nwhen:\n  count:\n    event: product\n    atLeast: 1\n    within: 1h\n${indent(example.yaml, '    ')}${ANY_ACTION}`;
    default:
      return `id: guide-example\n${ANY_TRIGGER}${ANY_ACTION}${example.yaml}`;
  }
}

const all = (await Promise.all(GUIDES.map(examples))).flat();
const settings = all.filter((example) => CONFIG_SECTIONS.includes(example.firstKey));
const scenarios = all.filter((example) => !CONFIG_SECTIONS.includes(example.firstKey));

describe('the guides\' YAML examples', () => {
  test('are found in every guide that has them', () => {
    expect(scenarios.filter((example) => example.guide === 'docs/scenarios.md').length).toBeGreaterThan(40);
    expect(new Set(scenarios.map((example) => example.guide))).toEqual(new Set(GUIDES));
  });

  test.each(scenarios.map((example) => [`${example.guide}:${example.line} (${example.firstKey})`, example] as const))(
    '%s compiles as a scenario',
    (_, example) => {
      const result = new ScenarioCompiler().compile(`${example.guide}:${example.line}`, asScenario(example));
      expect(result.ok ? '' : formatProblems(result.problems)).toBe('');
    },
  );

  test.each(settings.map((example) => [`${example.guide}:${example.line} (${example.firstKey})`, example] as const))(
    '%s is a valid engine configuration',
    (_, example) => {
      expect(() => parseConfig(parseYaml(example.yaml))).not.toThrow();
    },
  );
});

describe('docs/scenarios.md, "Events"', () => {
  test('the table names every event a scenario can match, from the tracker or from the engine', async () => {
    const guide = await readFile('docs/scenarios.md', 'utf8');
    const table = guide.slice(guide.indexOf('\n## Events\n'), guide.indexOf('\n## When: the triggers\n'));
    const named = new Set(
      table
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .flatMap((line) => [...line.split(' | ')[0]!.matchAll(/`([a-z_]+)`/g)].map((match) => match[1]!)),
    );
    expect([...EVENT_TYPES, ...ENGINE_EVENT_TYPES].filter((type) => !named.has(type))).toEqual([]);
  });
});
