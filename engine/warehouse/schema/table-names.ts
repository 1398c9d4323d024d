import type { WarehouseTable } from '../rows.js';
import { sqlIdentifier } from './sql-literal.js';

export const DEFAULT_DATABASE = 'tripwire';

/** Fully qualified names of Tripwire's tables in one database. */
export interface TableNames {
  readonly database: string;
  readonly events: string;
  readonly triggers: string;
  readonly deliveries: string;
  readonly conversions: string;
  readonly migrations: string;
}

export function tableNames(database: string = DEFAULT_DATABASE): TableNames {
  const db = sqlIdentifier(database);
  return {
    database: db,
    events: `${db}.events`,
    triggers: `${db}.triggers`,
    deliveries: `${db}.deliveries`,
    conversions: `${db}.conversions`,
    migrations: `${db}.tw_migrations`,
  };
}

export function qualifiedTable(names: TableNames, table: WarehouseTable): string {
  return names[table];
}

/**
 * What the SQL text holds, in the order a reader meets it: a string literal ('' or \' inside),
 * a quoted identifier, a comment, or a table placeholder. Literals and comments are matched
 * whole, so a placeholder inside one is left as it is.
 */
const SQL_PARTS =
  /'(?:[^'\\]|\\[\s\S]|'')*'|"(?:[^"\\]|\\[\s\S]|"")*"|`(?:[^`\\]|\\[\s\S]|``)*`|--[^\n]*|\/\*[\s\S]*?\*\/|\{(events|triggers|deliveries|conversions|tw_migrations)\}/g;

/**
 * Replaces `{events}`, `{triggers}`, `{deliveries}`, `{conversions}` and `{tw_migrations}` with qualified names, so queries are
 * written once and run in whichever database the engine is configured with. Only placeholders
 * in the SQL text are replaced: one inside a string literal (a value written with sqlString, say
 * a search for "{events}"), a quoted identifier or a comment is kept as written. The braces
 * cannot clash with query parameters, which always carry a type (`{name:Type}`).
 */
export function resolveTableNames(sql: string, names: TableNames): string {
  return sql.replace(SQL_PARTS, (part, table: WarehouseTable | 'tw_migrations' | undefined) => {
    if (table === undefined) return part;
    return table === 'tw_migrations' ? names.migrations : names[table];
  });
}
