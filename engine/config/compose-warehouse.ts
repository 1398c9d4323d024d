import { join } from 'node:path';
import type { Logger } from '../observability/index.js';
import { WaitingWarehouse, type WarehouseBackend } from '../warehouse/index.js';
import { ChdbWarehouse } from '../warehouse/chdb/index.js';
import { ServerWarehouse } from '../warehouse/server/index.js';
import type { TripwireConfig } from './schema.js';
import { dataDirWriterId } from './writer-id.js';

export interface WarehouseDeps {
  logger: Logger;
  /** A server that could not be reached at start answered, and its schema is in place. */
  onReady(): void;
}

/**
 * The configured warehouse with its schema migrated: chdb, which lives in this process, at once;
 * a ClickHouse server when it answers, since the engine serves without it meanwhile (a
 * WaitingWarehouse). A server that refuses the engine, or a migration it rejects, still stops the start.
 */
export async function composeWarehouse(config: TripwireConfig, deps: WarehouseDeps): Promise<WarehouseBackend> {
  const { clickhouseUrl, database } = config.warehouse;
  if (clickhouseUrl === undefined) {
    const chdb = await ChdbWarehouse.open(join(config.dataDir, 'chdb'), { database });
    try {
      await chdb.migrate();
    } catch (error) {
      await chdb.close();
      throw error;
    }
    return chdb;
  }
  const where = ServerWarehouse.where(clickhouseUrl);
  const writerId = await dataDirWriterId(config.dataDir);
  return WaitingWarehouse.start({
    where,
    open: async () => {
      const server = await ServerWarehouse.connect(clickhouseUrl, { database, insertQueryPrefix: `tw-${writerId}` });
      try {
        await server.migrate();
      } catch (error) {
        await server.close();
        throw error;
      }
      if (server.processesRefused !== undefined) {
        deps.logger.warn(
          { reason: server.processesRefused },
          `ClickHouse at ${where} does not let this user list its running queries (system.processes): a replay cannot wait for an earlier insert still running on the server, whose rows may then be stored twice. Grant the user SELECT on system.processes.`,
        );
      }
      return server;
    },
    onWaiting: (error, retryInMs) =>
      deps.logger.warn(
        { err: error, retryInMs },
        `ClickHouse at ${where} cannot be reached or its schema not yet created; the engine serves without it, keeps rows (in memory, then ${join(config.dataDir, 'spill')}) and tries again in ${Math.round(retryInMs / 100) / 10} s. Check CLICKHOUSE_URL and that the server is running.`,
      ),
    onReady: (backend) => {
      deps.logger.info({ version: backend.version }, `ClickHouse at ${where} answered and its schema is up to date; held-back rows are being stored`);
      deps.onReady();
    },
  });
}
