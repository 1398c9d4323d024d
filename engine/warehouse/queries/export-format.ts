/** How query results leave Tripwire: JSON for programs, CSV for spreadsheets and ad platforms. */
export type ExportFormat = 'json' | 'csv';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'csv'];

export function contentTypeOf(format: ExportFormat): string {
  return format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
}

function csvCell(value: unknown): string {
  // Lists (an audience's products) become one cell, space-separated; ids never hold spaces.
  const text = Array.isArray(value) ? value.join(' ') : value === null || value === undefined ? '' : String(value);
  // Leading = + - @ make spreadsheets run the cell as a formula, and so can a leading tab or carriage
  // return, which spreadsheets skip before reading the rest (OWASP's CSV injection list): quote them as text.
  const guarded = /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(guarded) || guarded !== text ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

/** RFC 4180 CSV with a header row; columns are those of the first row (all rows share them). */
export function toCsv(rows: readonly object[], columns?: readonly string[]): string {
  const header = columns ?? (rows[0] === undefined ? [] : Object.keys(rows[0]));
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(header.map((column) => csvCell((row as Record<string, unknown>)[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function formatRows(rows: readonly object[], format: ExportFormat): string {
  return format === 'csv' ? toCsv(rows) : `${JSON.stringify(rows, null, 2)}\n`;
}
