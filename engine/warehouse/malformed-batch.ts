/**
 * ClickHouse error codes meaning the server read the batch and refused its content: a value it
 * cannot parse, of the wrong type, or a field the table does not have. Sending the same bytes
 * again gets the same answer, unlike a timeout, a full disk or too many parts.
 */
const MALFORMED_INPUT_CODES: ReadonlySet<number> = new Set([
  6, // CANNOT_PARSE_TEXT
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE (a lone UTF-16 surrogate)
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA (an unknown field in JSONEachRow)
  131, // TOO_LARGE_STRING_SIZE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
]);

/** The server's error code: a numeric `code` (@clickhouse/client), else "Code: 25." (chdb) or "Code: 25," (18.16) in the message. */
export function clickhouseCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  if (typeof code === 'number') return code;
  const message = error instanceof Error ? error.message : String(error);
  const match = /\bCode: (\d+)[.,]/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** True when ClickHouse answered an insert by refusing the rows themselves (not an outage, not a transport failure). */
function refusedAsMalformed(error: unknown): boolean {
  const code = clickhouseCode(error);
  return code !== undefined && MALFORMED_INPUT_CODES.has(code);
}

/** The code of a failed insert: TW_WAREHOUSE_REJECTED when retrying the same rows cannot help, TW_WAREHOUSE_UNAVAILABLE otherwise. */
export function insertFailureCode(error: unknown): 'TW_WAREHOUSE_REJECTED' | 'TW_WAREHOUSE_UNAVAILABLE' {
  return refusedAsMalformed(error) ? 'TW_WAREHOUSE_REJECTED' : 'TW_WAREHOUSE_UNAVAILABLE';
}
