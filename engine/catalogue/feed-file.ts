import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { TripwireError } from '../errors.js';
import type { ProductUpdate } from './product.js';
import { parseFeedRows } from './feed-rows.js';

/** Columns a CSV feed may have; `price` is read as a number, `stock` as a status or a quantity. */
const CSV_COLUMNS = ['id', 'name', 'price', 'category', 'stock', 'url', 'image'] as const;

/**
 * Reads a bulk catalogue file: `.json` (an array, or an object with a "products" array, such
 * as the demo catalogue), `.ndjson` (one product per line) or `.csv` (a header row naming
 * columns among id,name,price,category,stock,url,image). Every row is validated; errors name
 * the file and the row or line.
 */
export async function readFeedFile(path: string): Promise<ProductUpdate[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new TripwireError('TW_CATALOGUE_INVALID', `${path}: cannot read the file (${(cause as Error).message})`, { cause });
  }
  try {
    return parseFeedText(text, extname(path).toLowerCase());
  } catch (error) {
    if (error instanceof TripwireError) throw new TripwireError(error.code, `${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

export function parseFeedText(text: string, extension: string): ProductUpdate[] {
  switch (extension) {
    case '.json':
      return parseFeedRows(jsonRows(text));
    case '.ndjson':
    case '.jsonl':
      return ndjsonRows(text);
    case '.csv':
      return csvRows(text);
    default:
      throw new TripwireError('TW_CATALOGUE_INVALID', `unknown file type "${extension}": use .json, .ndjson or .csv`);
  }
}

function jsonRows(text: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new TripwireError('TW_CATALOGUE_INVALID', `not valid JSON (${(cause as Error).message})`, { cause });
  }
  if (Array.isArray(parsed)) return parsed;
  if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { products?: unknown }).products)) {
    // The demo catalogue's shape: products carry fields the feed does not take (description, colour...).
    return (parsed as { products: unknown[] }).products.map(feedFieldsOnly);
  }
  throw new TripwireError('TW_CATALOGUE_INVALID', 'a JSON catalogue file is an array of products, or an object with a "products" array');
}

function feedFieldsOnly(row: unknown): unknown {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return row;
  return Object.fromEntries(Object.entries(row).filter(([key]) => (CSV_COLUMNS as readonly string[]).includes(key)));
}

function ndjsonRows(text: string): ProductUpdate[] {
  const rows: unknown[] = [];
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      rows.push(JSON.parse(line));
    } catch (cause) {
      throw new TripwireError('TW_CATALOGUE_INVALID', `line ${index + 1}: not valid JSON (${(cause as Error).message})`, { cause });
    }
    lines.push(index + 1);
  });
  return parseFeedRows(rows, (index) => `line ${lines[index]}`);
}

function csvRows(text: string): ProductUpdate[] {
  const records = parseCsv(text).filter((record) => record.cells.some((cell) => cell !== ''));
  const header = records.shift();
  if (header === undefined) throw new TripwireError('TW_CATALOGUE_INVALID', 'the CSV file is empty; it needs a header row');
  const columns = header.cells.map((cell) => cell.trim());
  const unknown = columns.filter((column) => !(CSV_COLUMNS as readonly string[]).includes(column));
  if (unknown.length > 0 || !columns.includes('id')) {
    throw new TripwireError(
      'TW_CATALOGUE_INVALID',
      `line 1: the header must name an "id" column and only columns among ${CSV_COLUMNS.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`,
    );
  }
  const rows = records.map((record) => {
    const row: Record<string, unknown> = {};
    columns.forEach((column, index) => {
      const cell = record.cells[index] ?? '';
      // An empty cell leaves the field as it is.
      if (cell === '') return;
      row[column] = column === 'price' ? numberOrText(cell) : column === 'stock' && /^\d+$/.test(cell) ? Number(cell) : cell;
    });
    return row;
  });
  return parseFeedRows(rows, (index) => `line ${records[index]!.line}`);
}

function numberOrText(cell: string): number | string {
  const value = Number(cell);
  return cell.trim() !== '' && Number.isFinite(value) ? value : cell;
}

interface CsvRecord {
  /** Line the record starts on, 1-based. */
  line: number;
  cells: string[];
}

/** RFC 4180: comma-separated, fields in double quotes may hold commas, newlines and "" for a quote. */
function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else {
        if (char === '\n') line++;
        cell += char;
      }
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      records.push({ line: start, cells });
      cells = [];
      cell = '';
      line++;
      start = line;
    } else cell += char;
  }
  if (quoted) throw new TripwireError('TW_CATALOGUE_INVALID', `line ${start}: a quoted field is not closed`);
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    records.push({ line: start, cells });
  }
  return records;
}
