import { withinDeadline } from '../events/index.js';
import { readQueueDepths, type JobQueue, type QueueDepthReading, type QueuedJob } from '../queue/index.js';
import type { WindowStore } from '../state/index.js';
import type { WarehouseBackend } from '../warehouse/index.js';

const HEALTH_TIMEOUT_MS = 2_000;
/** Queue depths are for monitors, not for the answer: shorter than the store's deadline, so they never make /healthz later. */
export const QUEUE_DEPTH_TIMEOUT_MS = 1_000;

/**
 * Health as /healthz reports it, answered with 200 when `ok`, else 503. `ok` says whether the
 * engine serves: without its window store it cannot, so a store that does not answer makes it
 * false. The engine serves without the warehouse (rows wait in memory or the spill folder), so a
 * warehouse that does not answer, or answers but fails the sink's inserts, leaves `ok` true and
 * is listed in `degraded`, and `warehouse.available` is false (as tripwire_warehouse_available
 * is 0): a load balancer keeps sending visitors, a monitor still sees it.
 * Queue depths never change `ok`: a count that fails or is slow shows as unknown, since a load
 * balancer that took the engine out over a slow count would stop ingestion for nothing. Nor does a
 * data folder lock that cannot be refreshed: the engine still owns the folder and serves, and a
 * load balancer taking it out would not give the folder back.
 */
export type EngineHealth = {
  ok: boolean;
  /**
   * Parts that do not answer but which the engine serves without; empty when all is well. The
   * journal is listed while its appends fail: rows are then kept in memory only, stored as usual,
   * and frames are acknowledged, but a crash of the engine would lose those rows. The data folder
   * is listed while its lock cannot be refreshed: 15 s after the last refresh, another engine may
   * take the folder over.
   */
  degraded: Array<'warehouse' | 'journal' | 'dataDir'>;
  store: { kind: string; state: string };
  /** `state` is "ok", why the warehouse did not answer, or why the sink's inserts fail. */
  warehouse: { kind: string; state: string; available: boolean };
  /** Jobs of the mail and webhook queues by state, or unknown and why. */
  queues: Record<string, QueueDepthReading>;
  /**
   * The warehouse journal: `failing` from a failed append until one succeeds; `failures` since the
   * start; `slowDisk` while appends go through the thread pool because one was slow on the event loop.
   */
  journal: JournalHealth;
  /** `state` is "ok", or why the last refresh of the data folder's lock (dataDir/engine.lock) failed. */
  dataDir: { state: string };
};

export interface JournalHealth {
  enabled: boolean;
  failing: boolean;
  failures: number;
  slowDisk: boolean;
}

/**
 * The store, the warehouse and each queue asked to answer within a deadline; the sink's inserts,
 * the journal and the data folder's lock as last seen. A warehouse can answer a probe and still
 * fail every insert, so `insertFailure` (the sink's last insert error while failing) counts too.
 */
export async function checkHealth(
  store: WindowStore,
  warehouse: WarehouseBackend,
  insertFailure: string | undefined,
  storeKind: string,
  journal: JournalHealth,
  queues: Readonly<Record<string, JobQueue<QueuedJob>>>,
  dataDir: { state: string },
): Promise<EngineHealth> {
  const probe = async (check: () => Promise<unknown>) => {
    try {
      await withinDeadline(check(), HEALTH_TIMEOUT_MS);
      return 'ok';
    } catch (error) {
      return (error as Error).message;
    }
  };
  const [storeState, warehouseState, queueDepths] = await Promise.all([
    probe(() => store.ping()),
    probe(() => warehouse.query('SELECT 1 AS ok')),
    readQueueDepths(queues, QUEUE_DEPTH_TIMEOUT_MS),
  ]);
  const warehouseReason = warehouseState === 'ok' && insertFailure !== undefined ? `inserts fail: ${insertFailure}` : warehouseState;
  const warehouseAvailable = warehouseReason === 'ok';
  return {
    ok: storeState === 'ok',
    degraded: [
      ...(warehouseAvailable ? [] : ['warehouse' as const]),
      ...(journal.failing ? ['journal' as const] : []),
      ...(dataDir.state === 'ok' ? [] : ['dataDir' as const]),
    ],
    store: { kind: storeKind, state: storeState },
    warehouse: { kind: warehouse.version === '' ? 'clickhouse' : `clickhouse ${warehouse.version}`, state: warehouseReason, available: warehouseAvailable },
    queues: queueDepths,
    journal,
    dataDir: { state: dataDir.state },
  };
}
