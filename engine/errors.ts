/**
 * Every failure a user can meet has a stable `TW_*` code, a message and a hint.
 * The codes travel in error frames to the tracker, in HTTP error bodies and in logs,
 * and the README lists them, so an operator can search for one.
 */
export const ErrorCodes = {
  TW_BAD_JSON: 'The frame is not valid JSON. Send one JSON object per frame.',
  TW_BAD_FRAME: 'The frame does not match the wire protocol. See docs/tracker.md, "Wire protocol".',
  TW_BAD_EVENT: 'An event in the frame has a missing or mistyped field; the other events of the frame were accepted.',
  TW_UNKNOWN_EVENT: 'The event type is not one Tripwire knows. Use "track" with a name for custom events.',
  TW_FRAME_TOO_LARGE: 'The frame is larger than gateway.maxFrameBytes; split it into smaller batches.',
  TW_TOO_MANY_EVENTS: 'The frame carries more events than gateway.maxEventsPerFrame.',
  TW_BACKPRESSURE: 'Too many events from this connection are still being processed; resend after an ack.',
  TW_UNKNOWN_SITE: 'The site key is not configured. Check the key in the pasted snippet against config sites.',
  TW_BAD_VISITOR: 'The visitor id is missing or malformed (1-64 characters of [A-Za-z0-9_-]).',
  TW_CONFIG_INVALID: 'The configuration is invalid. Fix the setting named in the message.',
  TW_SCENARIO_INVALID: 'A scenario file is invalid. Fix the file and line named in the message.',
  TW_STORE_UNAVAILABLE: 'The window store (Redis) cannot be reached. Check REDIS_URL and that Redis is running.',
  TW_WAREHOUSE_UNAVAILABLE: 'ClickHouse cannot be reached or failed an insert. Check CLICKHOUSE_URL; batches are retried.',
  TW_WAREHOUSE_SCHEMA: 'The ClickHouse schema could not be created or migrated. The message carries the server error.',
  TW_EMAIL_FAILED: 'An email could not be sent. Check SMTP_URL and the SMTP server log.',
  TW_EMAIL_ADDRESS_INVALID: 'The recipient is empty or not exactly one plain address (name@domain); the email is dead-lettered, never sent or retried.',
  TW_SUPPRESSION_FILE: 'The suppression list file (dataDir/suppressions.ndjson) cannot be read or written, or has a line that does not parse. Fix or delete the line named in the message, or the file\'s permissions.',
  TW_TEMPLATE_INVALID: 'A template could not be parsed or rendered. Fix the template named in the message.',
  TW_UNAUTHORIZED: 'The request lacks valid credentials.',
  TW_NOT_FOUND: 'No such resource.',
  TW_INTERNAL: 'The engine failed to answer; the engine log has the details under the same time.',
  TW_WAREHOUSE_QUERY: 'A warehouse query failed. The message carries the ClickHouse error; check the SQL and table names.',
  TW_WAREHOUSE_REJECTED:
    'ClickHouse refused a batch as malformed (a value it cannot parse, or a field the table lacks); after a few tries the batch is set aside as a `.rejected` file in dataDir/spill so later batches go on. The message names the file and the server error; once fixed, rename it to `.json` to replay it.',
  TW_WAREHOUSE_SPILL:
    'A batch could not be written to or read from the spill folder (dataDir/spill), or a journal segment (dataDir/journal) could not be read, set aside or removed. Check free disk space and permissions.',
  TW_WAREHOUSE_JOURNAL:
    'Rows could not be appended to the warehouse journal (dataDir/journal). Nothing is lost while the engine runs: the rows stay in memory and are stored as usual, and frames are acknowledged; but a crash of the engine before they are stored loses them. /healthz lists `journal` under degraded until an append succeeds again. Free disk space or fix the folder\'s permissions.',
  TW_DATA_DIR_IN_USE:
    'Another engine runs on this data folder (its dataDir/engine.lock names it). Stop that engine, or give each engine its own TW_DATA_DIR; a lock left by an engine that is gone is taken over at the next start (at once on the same host, 15 s after its last refresh from another host).',
  TW_WAREHOUSE_IN_USE:
    'An engine runs on this data folder (its dataDir/engine.lock names it) and holds its embedded warehouse (dataDir/chdb), which one process at a time can open. Stop that engine to read the folder from the command line, or ask the running engine: its HTTP API, with the admin token TW_ADMIN_TOKEN, runs the same queries (GET /api/queries/<name>) and backtests (POST /api/backtest).',
  TW_DATA_DIR_LOCK_REFRESH:
    "The data folder's lock (dataDir/engine.lock) could not be refreshed, or its refresh has waited on the disk for a whole period. The engine still owns the folder and serves, and /healthz lists dataDir under degraded until a refresh succeeds; but 15 s after the last refresh another engine may take the folder over. Check the folder's disk and permissions, and that nothing removes files from it. At a stop, the lock's removal waits on the disk for one period at most; then the stop goes on and the lock left behind goes stale 15 s after its last refresh.",
  TW_PORT_IN_USE:
    'Another process, maybe another engine, listens on the port this engine was given. Stop it, or give this engine another port (PORT / server.port): two engines never share a port.',
  TW_QUERY_INVALID: 'An analyst query name or parameter is unknown or malformed. `tripwire query --help` and docs/analysts.md list them.',
  TW_REPLAY_INPUT: 'A recorded event stream could not be read. Fix the file and line named in the message (NDJSON of wire events, or a timestamp,visitorid,event,itemid,transactionid CSV).',
  TW_CATALOGUE_INVALID:
    'A catalogue feed row, or the site key or product id in a catalogue API path, is invalid. Fix the row and field, or the path, named in the message; docs/catalogue.md lists the fields.',
  TW_LINK_INVALID: 'An email link (unsubscribe, open pixel, click) was not signed by this engine or was altered on the way. Use the link from the email exactly as it is.',
  TW_SHUTTING_DOWN: 'The engine is stopping and takes no new frames; the tracker resends them to the engine it reconnects to.',
  TW_ENGINE_UNREACHABLE: 'A command that talks to the running engine could not reach it. Start the engine (npm start), or give its address with --url.',
  TW_DEAD_LETTER_UNREADABLE:
    'A dead letter on Redis is not what an engine writes (not JSON of a job, its error and time), so it cannot be replayed. Look at it with redis-cli HGET on the queue\'s :dead hash, then remove it with `dead-letters --purge <id>`.',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class TripwireError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TripwireError';
    this.code = code;
    this.hint = ErrorCodes[code];
  }

  toJSON(): { code: ErrorCode; message: string; hint: string } {
    return { code: this.code, message: this.message, hint: this.hint };
  }
}

export function isTripwireError(value: unknown): value is TripwireError {
  return value instanceof TripwireError;
}
