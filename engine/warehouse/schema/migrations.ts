import type { ServerCapabilities } from './capabilities.js';
import type { TableNames } from './table-names.js';

/** What a migration's DDL is generated for. */
export interface MigrationTarget {
  readonly names: TableNames;
  readonly capabilities: ServerCapabilities;
}

/**
 * One schema step. Applied in `id` order and recorded in `tw_migrations`; every statement is
 * idempotent (`IF NOT EXISTS`), so a run interrupted halfway, or two engines migrating at
 * once, converge to the same schema. Never edit a published migration: append a new one.
 */
export interface Migration {
  readonly id: number;
  readonly description: string;
  ddl(target: MigrationTarget): readonly string[];
}

// Columns analysts group and filter by; a dictionary encoding makes them cheap where the server has one.
function label(capabilities: ServerCapabilities): string {
  return capabilities.lowCardinality ? 'LowCardinality(String)' : 'String';
}

/**
 * Month partitions keep drops of old data cheap; the dedup window lets a retried batch with the
 * same insert_deduplication_token be ignored, which plain MergeTree only does when asked to.
 */
function mergeTree(capabilities: ServerCapabilities, orderBy: string): string {
  const settings = capabilities.insertDeduplicationToken ? ' SETTINGS non_replicated_deduplication_window = 1000' : '';
  return `ENGINE = MergeTree PARTITION BY toYYYYMM(time) ORDER BY (${orderBy})${settings}`;
}

const createEvents: Migration = {
  id: 1,
  description: 'create events',
  ddl: ({ names, capabilities }) => {
    const lc = label(capabilities);
    return [
      `CREATE TABLE IF NOT EXISTS ${names.events} (
  event_id String,
  site ${lc},
  type ${lc},
  visitor_id String,
  session_id String,
  time DateTime('UTC'),
  time_ms UInt64,
  received_at DateTime('UTC'),
  received_at_ms UInt64,
  url String,
  product_id String,
  category ${lc},
  search_query String,
  value Float64,
  props String
) ${mergeTree(capabilities, 'site, type, toDate(time), visitor_id, time_ms')}`,
    ];
  },
};

const createTriggers: Migration = {
  id: 2,
  description: 'create triggers',
  ddl: ({ names, capabilities }) => {
    const lc = label(capabilities);
    return [
      `CREATE TABLE IF NOT EXISTS ${names.triggers} (
  trigger_id String,
  site ${lc},
  scenario_id ${lc},
  variant ${lc},
  channel ${lc},
  status ${lc},
  reason ${lc},
  visitor_id String,
  event_id String,
  time DateTime('UTC'),
  time_ms UInt64,
  context String
) ${mergeTree(capabilities, 'site, scenario_id, toDate(time), visitor_id, time_ms')}`,
    ];
  },
};

const createDeliveries: Migration = {
  id: 3,
  description: 'create deliveries',
  ddl: ({ names, capabilities }) => {
    const lc = label(capabilities);
    return [
      `CREATE TABLE IF NOT EXISTS ${names.deliveries} (
  delivery_id String,
  trigger_id String,
  site ${lc},
  scenario_id ${lc},
  channel ${lc},
  status ${lc},
  detail String,
  visitor_id String,
  time DateTime('UTC'),
  time_ms UInt64
) ${mergeTree(capabilities, 'site, channel, status, scenario_id, toDate(time), visitor_id, time_ms')}`,
    ];
  },
};

const createConversions: Migration = {
  id: 4,
  description: 'create conversions',
  ddl: ({ names, capabilities }) => [
    `CREATE TABLE IF NOT EXISTS ${names.conversions} (
  site ${label(capabilities)},
  order_id String,
  event_id String,
  visitor_id String,
  value Float64,
  items UInt32,
  trigger_id String,
  time DateTime('UTC'),
  time_ms UInt64
) ${mergeTree(capabilities, 'site, toDate(time), visitor_id, time_ms')}`,
  ],
};

export const MIGRATIONS: readonly Migration[] = [createEvents, createTriggers, createDeliveries, createConversions];
