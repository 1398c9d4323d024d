import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { ENV_SETTINGS, parseConfig } from '../../engine/config/index.js';
import { ErrorCodes } from '../../engine/errors.js';
import { parseDuration } from '../../engine/events/index.js';

/** The README is what an operator reads first; its tables are checked against the code they describe. */
const README = await readFile('README.md', 'utf8');

function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  expect(start, `README has a "${heading}" section`).toBeGreaterThan(-1);
  const rest = README.slice(start + heading.length + 2);
  const level = heading.split(' ')[0]!;
  const end = rest.search(new RegExp(`\\n#{2,${level.length}} `));
  return end === -1 ? rest : rest.slice(0, end);
}

function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
}

function literal(cell: string): string | undefined {
  return /^`([^`<]*)`$/.exec(cell)?.[1];
}

function valueAt(config: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], config);
}

describe('README.md', () => {
  const configRows = tableRows(section('## Configuration')).map(([env, path, fallback]) => ({
    env: literal(env!)!,
    path: path === '' ? undefined : literal(path!),
    fallback: fallback!,
  }));

  test('the configuration table lists every environment variable the engine reads, with the setting it sets', () => {
    const documented = configRows.filter((row) => row.path !== undefined).map((row) => `${row.env} → ${row.path}`);
    expect(documented.sort()).toEqual(ENV_SETTINGS.map((setting) => `${setting.env} → ${setting.path.join('.')}`).sort());
  });

  test('the configuration table shows each written default as the schema has it', () => {
    const defaults = parseConfig({});
    const shown = configRows.filter((row) => row.path !== undefined && literal(row.fallback) !== undefined);
    expect(shown.length).toBeGreaterThan(10);
    for (const row of shown) {
      const written = literal(row.fallback)!;
      const actual = valueAt(defaults, row.path!);
      const expected = typeof actual === 'number' ? (parseDuration(written) ?? Number(written)) : typeof actual === 'boolean' ? written === 'true' : written;
      expect(actual, `${row.env} (${row.path})`).toEqual(expected);
    }
  });

  test('the error code table lists every code the engine can answer with, and no other', () => {
    const listed = tableRows(section('### Error codes')).map(([code]) => literal(code!));
    expect(listed.sort()).toEqual(Object.keys(ErrorCodes).sort());
  });
});
