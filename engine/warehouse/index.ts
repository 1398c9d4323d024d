export type { EventRow, TriggerRow, TriggerStatus, DeliveryRow, ConversionRow, WarehouseRows, WarehouseTable } from './rows.js';
export { WAREHOUSE_TABLES } from './rows.js';
export type { WarehouseBackend, EventSink, InsertBatch } from './warehouse.js';
export type { BatchingSinkOptions } from './batching-sink.js';
export { BatchingSink } from './batching-sink.js';
export type { WaitingWarehouseOptions } from './waiting-warehouse.js';
export { WaitingWarehouse } from './waiting-warehouse.js';
export type { SpilledBatch } from './spill-folder.js';
export { SpillFolder, newBatchId } from './spill-folder.js';
export type {
  WarehouseQuery,
  QueryRange,
  EventsPerTypeRow,
  PopinsShownRow,
  EventsPerMinuteRow,
  ScenarioKpiOptions,
  ScenarioKpiRow,
  FunnelDayRow,
  AudienceWindow,
  AudienceSuppressions,
  CategoryViewerRow,
  CartAbandonerRow,
  ExportFormat,
  QueryParams,
  QueryParameter,
  ShippedQuery,
  AttributedOrders,
} from './queries/index.js';
export {
  eventsPerType,
  popinsShownPerScenario,
  eventsPerMinute,
  runQuery,
  scenarioKpis,
  attributedOrders,
  funnelByDay,
  categoryViewers,
  cartAbandoners,
  DEFAULT_ATTRIBUTION_WINDOW_MS,
  EXPORT_FORMATS,
  contentTypeOf,
  toCsv,
  formatRows,
  SHIPPED_QUERIES,
  shippedQuery,
  checkParameters,
  parseTime,
  parseTimeRange,
  parseRequiredTimeRange,
} from './queries/index.js';
export type { ServerCapabilities, TableNames, Migration, AppliedMigration } from './schema/index.js';
export type { ClusterDdlOptions } from './schema/index.js';
export { capabilitiesOf, DEFAULT_DATABASE, tableNames, MIGRATIONS, sqlString, sqlNumber, sqlIdentifier, clusterDdl, SHARDING_KEY } from './schema/index.js';
