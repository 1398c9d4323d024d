/**
 * What a ClickHouse server can do, read from `SELECT version()`. Tripwire supports Debian's
 * 18.16 (no DateTime64, no TTL, LowCardinality still experimental) as well as current releases,
 * so DDL and insert settings are generated from these flags rather than written for one server.
 */
export interface ServerCapabilities {
  readonly version: string;
  /** `LowCardinality(String)` without an experimental setting. */
  readonly lowCardinality: boolean;
  readonly dateTime64: boolean;
  /** Table and column `TTL` clauses. */
  readonly ttl: boolean;
  /** `async_insert` setting (server-side batching). */
  readonly asyncInsert: boolean;
  /** `insert_deduplication_token` plus `non_replicated_deduplication_window` on plain MergeTree. */
  readonly insertDeduplicationToken: boolean;
  /** `{name:Type}` query parameters over HTTP; 18.16 answers "Unknown setting param_x". */
  readonly queryParameters: boolean;
}

interface ServerVersion {
  major: number;
  minor: number;
}

function parseVersion(version: string): ServerVersion | undefined {
  const match = /^(\d+)\.(\d+)/.exec(version.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

function atLeast(version: ServerVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

/**
 * Maps a version string to capabilities. An unparseable version is treated as the oldest
 * supported server: DDL that is too conservative still works, DDL that is too new does not.
 */
export function capabilitiesOf(version: string): ServerCapabilities {
  const parsed = parseVersion(version) ?? { major: 18, minor: 16 };
  return {
    version,
    // LowCardinality left experimental during 19.x; 20.1 is the first release we trust with it.
    lowCardinality: atLeast(parsed, 20, 1),
    dateTime64: atLeast(parsed, 20, 1),
    ttl: atLeast(parsed, 19, 6),
    asyncInsert: atLeast(parsed, 21, 11),
    insertDeduplicationToken: atLeast(parsed, 22, 2),
    queryParameters: atLeast(parsed, 19, 11),
  };
}
