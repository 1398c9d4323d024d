import type { WarehouseRows, WarehouseTable } from './rows.js';

// JSON.stringify writes a lone surrogate as an escape (lower-case hex); a false hit only costs one parse.
const ESCAPED_SURROGATE = /\\ud[89a-f]/i;

/** Columns holding a JSON object serialized by the engine. */
const JSON_COLUMNS: ReadonlySet<string> = new Set(['props', 'context']);

/** Node 20's own check and repair (ES2024): each lone surrogate becomes U+FFFD. */
function wellFormed(text: string): string {
  return text.isWellFormed() ? text : text.toWellFormed();
}

function wellFormedValue(value: unknown): unknown {
  if (typeof value === 'string') return wellFormed(value);
  if (Array.isArray(value)) return value.map(wellFormedValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [wellFormed(key), wellFormedValue(inner)]));
  }
  return value;
}

function wellFormedJson(text: string): string {
  if (!ESCAPED_SURROGATE.test(text)) return wellFormed(text);
  try {
    return JSON.stringify(wellFormedValue(JSON.parse(text)));
  } catch {
    return wellFormed(text);
  }
}

/**
 * The row with every lone UTF-16 surrogate replaced by U+FFFD. Client strings (a search query, a
 * product name in props) may hold one, from a truncated emoji or a broken page script; ClickHouse
 * refuses the JSON escape of a lone surrogate and with it the whole batch. Rows are made
 * well-formed once, as they enter the sink, so retries, spill files and the replay's identity
 * check all see the values that are stored.
 */
export function wellFormedRow<T extends WarehouseTable>(row: WarehouseRows[T]): WarehouseRows[T] {
  let fixed: Record<string, unknown> | undefined;
  // Every row written passes here: a for-in over its own fields allocates nothing for a clean row.
  for (const column in row) {
    const value = (row as unknown as Record<string, unknown>)[column];
    if (typeof value !== 'string') continue;
    const clean = JSON_COLUMNS.has(column) ? wellFormedJson(value) : wellFormed(value);
    if (clean === value) continue;
    fixed ??= { ...row };
    fixed[column] = clean;
  }
  return (fixed ?? row) as WarehouseRows[T];
}
