import { describe, expect, test } from 'vitest';
import { sqlString } from './sql-literal.js';
import { resolveTableNames, tableNames } from './table-names.js';

const names = tableNames('shopdb');

describe('resolveTableNames', () => {
  test('names every table placeholder of the SQL text in the configured database', () => {
    expect(resolveTableNames('SELECT * FROM {events} JOIN {triggers} USING (visitor_id) WHERE 1 IN (SELECT id FROM {tw_migrations})', names)).toBe(
      'SELECT * FROM shopdb.events JOIN shopdb.triggers USING (visitor_id) WHERE 1 IN (SELECT id FROM shopdb.tw_migrations)',
    );
  });

  test.each([
    ['a value written with sqlString', `SELECT count() FROM {events} WHERE search_query = ${sqlString("it's {events} \\ {triggers}")}`],
    ["a literal with '' inside", "SELECT 'it''s {deliveries}' FROM {events}"],
    ['a quoted identifier', 'SELECT 1 AS "{conversions}", 2 AS `{events}` FROM {events}'],
    ['a line comment', "SELECT 1 FROM {events} -- not {triggers}, isn't it\nWHERE 1"],
    ['a block comment', 'SELECT 1 /* {triggers} */ FROM {events}'],
  ])('keeps a placeholder inside %s as written', (_what, sql) => {
    const resolved = resolveTableNames(sql, names);
    expect(resolved).toBe(sql.replace(/FROM \{events\}/g, 'FROM shopdb.events'));
  });

  test('leaves query parameters alone', () => {
    expect(resolveTableNames('SELECT {site:String} FROM {events}', names)).toBe('SELECT {site:String} FROM shopdb.events');
  });
});
