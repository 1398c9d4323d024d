import { describe, expect, test } from 'vitest';
import { capabilitiesOf } from './capabilities.js';
import { MIGRATIONS } from './migrations.js';
import { tableNames } from './table-names.js';

const ddlFor = (version: string): string =>
  MIGRATIONS.flatMap((migration) => migration.ddl({ names: tableNames('tw'), capabilities: capabilitiesOf(version) })).join('\n');

describe('MIGRATIONS', () => {
  test('ids are unique and ascending', () => {
    const ids = MIGRATIONS.map((migration) => migration.id);
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
  });

  test('every statement is idempotent', () => {
    for (const statement of ddlFor('26.7.2.1').split(/\n(?=CREATE)/)) expect(statement).toMatch(/^CREATE TABLE IF NOT EXISTS tw\./);
  });

  test('on 18.16 labels are plain String and tables have no dedup window', () => {
    const ddl = ddlFor('18.16.1');
    expect(ddl).not.toMatch(/LowCardinality|DateTime64|SETTINGS/);
  });

  test('on current servers labels are LowCardinality and retried batches are deduplicated', () => {
    const ddl = ddlFor('26.7.2.1');
    expect(ddl).toMatch(/site LowCardinality\(String\)/);
    expect(ddl).toMatch(/non_replicated_deduplication_window/);
  });
});
