import type { WarehouseRows, WarehouseTable } from './rows.js';
import { WAREHOUSE_TABLES } from './rows.js';

/** First line of every journal segment: a file without it is not one. */
export const JOURNAL_HEADER = 'tripwire-journal-1\n';

/**
 * One row as a journal line: its table, a tab, its JSON. JSON.stringify escapes every control
 * character, so the row cannot hold the newline that ends the line.
 */
export function journalLine(table: WarehouseTable, row: WarehouseRows[WarehouseTable]): string {
  return `${table}\t${JSON.stringify(row)}\n`;
}

export type JournalRows = { [T in WarehouseTable]: WarehouseRows[T][] };

export interface ReadSegment {
  rows: JournalRows;
  /** Bytes of a last line cut short (a power loss mid-write): dropped, as its write was never acknowledged. */
  tornBytes: number;
}

/** A segment that cannot be read: not a journal, or a complete line that does not parse. */
export class UnreadableSegment extends Error {}

/**
 * The rows of a segment, per table, in the order they were written. Only the last line may be
 * incomplete: every write ends with a newline, so a line without one is a write a crash cut short.
 */
export function readSegment(text: string): ReadSegment {
  const rows: JournalRows = { events: [], triggers: [], deliveries: [], conversions: [] };
  const end = text.lastIndexOf('\n') + 1;
  const tornBytes = Buffer.byteLength(text.slice(end));
  if (end === 0) {
    // Cut short inside its header: the segment was just created, nothing in it was acknowledged.
    if (JOURNAL_HEADER.startsWith(text)) return { rows, tornBytes };
    throw new UnreadableSegment('it does not start with the journal header');
  }
  if (!text.startsWith(JOURNAL_HEADER)) throw new UnreadableSegment('it does not start with the journal header');
  const lines = text.slice(JOURNAL_HEADER.length, end - 1);
  if (lines.length === 0) return { rows, tornBytes };
  let number = 1;
  for (const line of lines.split('\n')) {
    number += 1;
    const tab = line.indexOf('\t');
    const table = line.slice(0, tab) as WarehouseTable;
    if (tab < 0 || !WAREHOUSE_TABLES.includes(table)) throw new UnreadableSegment(`line ${number} names no warehouse table`);
    let row: unknown;
    try {
      row = JSON.parse(line.slice(tab + 1));
    } catch (error) {
      throw new UnreadableSegment(`line ${number} is not JSON (${(error as Error).message})`);
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new UnreadableSegment(`line ${number} is not a row`);
    (rows[table] as unknown[]).push(row);
  }
  return { rows, tornBytes };
}
