export type { EventRow, TriggerRow, TriggerStatus, DeliveryRow, WarehouseRows, WarehouseTable } from './rows.js';
export { WAREHOUSE_TABLES } from './rows.js';
export type { WarehouseBackend, EventSink } from './warehouse.js';
export type { BatchingSinkOptions } from './batching-sink.js';
export { BatchingSink } from './batching-sink.js';
export type { WarehouseQuery, QueryRange, EventsPerTypeRow, PopinsShownRow } from './queries.js';
export { eventsPerType, popinsShownPerScenario, runQuery } from './queries.js';
export type { ServerCapabilities, TableNames, Migration, AppliedMigration } from './schema/index.js';
export { capabilitiesOf, DEFAULT_DATABASE, tableNames, MIGRATIONS, sqlString, sqlNumber, sqlIdentifier } from './schema/index.js';
