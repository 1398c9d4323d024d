import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../engine/config/index.js';
import { parseDuration } from '../../engine/events/index.js';

/**
 * The guides' settings tables (| setting | default | meaning |) show the schema's defaults: an
 * operator tunes from them, so a default changed in engine/config/schema.ts must change there too.
 */
const TABLES = [
  { guide: 'docs/email.md', heading: '## Settings', section: '' },
  { guide: 'docs/catalogue.md', heading: '## Configuration (`catalogue:`)', section: 'catalogue.' },
];

function valueAt(config: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], config);
}

/** One row may name several settings and their defaults: `mailer.pollInterval`, `mailer.batch` | 1s, 10. */
async function documentedDefaults(guide: string, heading: string, section: string): Promise<Array<[string, string]>> {
  const text = await readFile(guide, 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, `${guide} has a "${heading}" section`).toBeGreaterThan(-1);
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(/\n## /);
  const rows = (end === -1 ? rest : rest.slice(0, end)).split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => {
    const [settings, fallback] = row.slice(1, -1).split(' | ').map((cell) => cell.trim());
    const names = [...settings!.matchAll(/`([A-Za-z.[\]]+)`/g)].map((match) => `${section}${match[1]!}`);
    const values = fallback!.replaceAll('`', '').split(',').map((value) => value.trim());
    if (values.length !== names.length || names.some((name) => name.includes('[]'))) return [];
    return names.map((name, index): [string, string] => [name, values[index]!]);
  });
}

describe.each(TABLES)('the settings table of $guide', ({ guide, heading, section }) => {
  test('shows each default as the schema has it', async () => {
    const defaults = parseConfig({});
    const shown = await documentedDefaults(guide, heading, section);
    expect(shown.length).toBeGreaterThanOrEqual(5);
    for (const [name, written] of shown) {
      const actual = valueAt(defaults, name);
      const expected = typeof actual === 'number' ? (parseDuration(written) ?? Number(written)) : written;
      expect(actual, `${name} in ${guide}`).toEqual(expected);
    }
  });
});
