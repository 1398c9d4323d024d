import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { scenarioJsonSchema } from './json-schema.js';

describe('the published JSON Schema of scenario files', () => {
  test('docs/scenario.schema.json is the schema the compiler validates with (regenerate: npm run cli -- schema)', async () => {
    const published = JSON.parse(await readFile('docs/scenario.schema.json', 'utf8')) as unknown;
    expect(published).toEqual(scenarioJsonSchema());
  });

  test('names every trigger and action a marketer can write', () => {
    const schema = scenarioJsonSchema() as { properties: { when: { properties: Record<string, unknown> }; then: { properties: Record<string, unknown> } } };
    expect(Object.keys(schema.properties.when.properties).sort()).toEqual(['absence', 'count', 'date', 'inactivity', 'schedule', 'sequence']);
    expect(Object.keys(schema.properties.then.properties).sort()).toEqual(['email', 'popin', 'webhook']);
  });
});
