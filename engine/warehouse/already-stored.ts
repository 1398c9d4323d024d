import { createHash } from 'node:crypto';
import type { WarehouseRows, WarehouseTable } from './rows.js';
import { ROW_IDENTITIES, sqlNumber, sqlString, storedKey } from './schema/index.js';

/** Rows per lookup query. */
const LOOKUP_CHUNK = 1000;

/**
 * Bytes the ids of a chunk may take listed as they are. ClickHouse refuses a query over 256 KiB
 * (max_query_size): ids longer than this allows are named by their 32-character MD5 (at most
 * 1000 x 36 bytes).
 */
const LIST_BYTES = 48 * 1024;

/** The id as ClickHouse's hex(MD5(id)) writes it: MD5 of its UTF-8 bytes, upper-case hex. */
function md5Hex(id: string): string {
  return createHash('md5').update(id, 'utf8').digest('hex').toUpperCase();
}

type Select = <Row>(sql: string) => Promise<Row[]>;

/**
 * The rows of a batch that ClickHouse does not hold yet. A batch is replayed after a failure
 * whose outcome is unknown (the server may have stored it before the connection broke), or
 * from the spill folder after a crash; ClickHouse 18.16 cannot deduplicate such an insert by
 * itself, so the replay asks first. Rows of one batch span a few seconds, so the time bounds
 * let the lookup read one partition. Ids come from sites (order ids, event ids) and may be
 * long: past a size the lookup names them by hash, so its size does not grow with theirs, and
 * the rows it finds are matched on their whole identity.
 */
export async function rowsNotYetStored<T extends WarehouseTable>(
  select: Select,
  table: T,
  rows: readonly WarehouseRows[T][],
): Promise<WarehouseRows[T][]> {
  if (rows.length === 0) return [];
  const identity = ROW_IDENTITIES[table];
  const stored = new Set<string>();
  for (let start = 0; start < rows.length; start += LOOKUP_CHUNK) {
    const chunk = rows.slice(start, start + LOOKUP_CHUNK);
    const times = chunk.map((row) => Math.max(0, Math.trunc(Number.isFinite(row.time) ? row.time : 0)));
    const found = await select<Record<string, unknown>>(
      `SELECT ${identity.columns.join(', ')} FROM {${table}}
WHERE ${idsIn(chunk, identity.lookup)}
  AND time >= toDateTime(${sqlNumber(Math.floor(Math.min(...times) / 1000))})
  AND time <= toDateTime(${sqlNumber(Math.floor(Math.max(...times) / 1000))})`,
    );
    for (const row of found) stored.add(storedKey(identity, row));
  }
  return rows.filter((row) => !stored.has(identity.key(row)));
}

/** The distinct values of `column` in the rows, as an SQL list; undefined past LIST_BYTES. */
function valuesOf(rows: readonly object[], column: string): string | undefined {
  const literals: string[] = [];
  let bytes = 0;
  // Measured literal by literal: ids of tens of kilobytes are not all escaped only to be hashed.
  for (const value of new Set(rows.map((row) => String((row as Record<string, unknown>)[column])))) {
    const literal = sqlString(value);
    bytes += Buffer.byteLength(literal) + 2;
    if (bytes > LIST_BYTES + 2) return undefined;
    literals.push(literal);
  }
  return literals.join(', ');
}

/**
 * The condition that the lookup column holds one of the rows' ids: compared as they are, which
 * ClickHouse does at about twice the speed of hashing every row it reads, or by MD5 when the ids
 * are too long to list.
 */
function idsIn(rows: readonly object[], column: string): string {
  const list = valuesOf(rows, column);
  if (list !== undefined) return `${column} IN (${list})`;
  const hashes = [...new Set(rows.map((row) => md5Hex(String((row as Record<string, unknown>)[column]))))];
  return `hex(MD5(${column})) IN (${hashes.map(sqlString).join(', ')})`;
}

/**
 * The deduplication token of an insert. A batch sent whole keeps its id, so a resend after an
 * ambiguous failure is dropped by servers that deduplicate. When a replay sends only the rows
 * still missing, the token must change: the server would otherwise take the remainder for the
 * part it already has and drop it.
 */
export function insertToken(batchId: string, sent: number, total: number): string {
  return sent === total ? batchId : `${batchId}:rest-${sent}`;
}
