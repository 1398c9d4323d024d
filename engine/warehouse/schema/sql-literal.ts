import { TripwireError } from '../../errors.js';

/**
 * SQL literals for the few values the engine writes into queries. ClickHouse 18.16 has no HTTP
 * query parameters, so values are escaped here instead, the same way on every server.
 */

// Control characters become \xHH: a raw NUL would cut the query short at chdb's C boundary.
const ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'" };

function escapeCharacter(character: string): string {
  const known = ESCAPES[character];
  if (known !== undefined) return known;
  return `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** A single-quoted ClickHouse string literal holding exactly `value`. */
export function sqlString(value: string): string {
  return `'${value.replace(/[\\'\x00-\x1f\x7f]/g, escapeCharacter)}'`;
}

/** A numeric literal; NaN and infinities have no literal and are refused. */
export function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) {
    throw new TripwireError('TW_WAREHOUSE_QUERY', `Cannot write ${String(value)} into a query; pass a finite number.`);
  }
  return String(value);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** A database or table name, accepted only in the plain form that needs no quoting on any server. */
export function sqlIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new TripwireError(
      'TW_CONFIG_INVALID',
      `warehouse.database "${name}" is not a valid name: use letters, digits and underscores, starting with a letter or underscore.`,
    );
  }
  return name;
}
