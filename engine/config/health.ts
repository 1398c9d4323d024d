import { withinDeadline } from '../events/index.js';
import type { WindowStore } from '../state/index.js';
import type { WarehouseBackend } from '../warehouse/index.js';

const HEALTH_TIMEOUT_MS = 2_000;

/**
 * Health as /healthz reports it, answered with 200 when `ok`, else 503. `ok` says whether the
 * engine serves: without its window store it cannot, so a store that does not answer makes it
 * false. The engine serves without the warehouse (rows wait in memory or the spill folder), so a
 * warehouse that does not answer leaves `ok` true and is listed in `degraded`, and
 * `warehouse.available` is false: a load balancer keeps sending visitors, a monitor still sees it.
 */
export type EngineHealth = {
  ok: boolean;
  /** Parts that do not answer but which the engine serves without; empty when all is well. */
  degraded: Array<'warehouse'>;
  store: { kind: string; state: string };
  /** `state` is "ok" or why the warehouse did not answer. */
  warehouse: { kind: string; state: string; available: boolean };
};

/** The store and the warehouse each asked to answer within a deadline. */
export async function checkHealth(store: WindowStore, warehouse: WarehouseBackend, storeKind: string): Promise<EngineHealth> {
  const probe = async (check: () => Promise<unknown>) => {
    try {
      await withinDeadline(check(), HEALTH_TIMEOUT_MS);
      return 'ok';
    } catch (error) {
      return (error as Error).message;
    }
  };
  const [storeState, warehouseState] = await Promise.all([probe(() => store.ping()), probe(() => warehouse.query('SELECT 1 AS ok'))]);
  const warehouseAvailable = warehouseState === 'ok';
  return {
    ok: storeState === 'ok',
    degraded: warehouseAvailable ? [] : ['warehouse'],
    store: { kind: storeKind, state: storeState },
    warehouse: { kind: warehouse.version === '' ? 'clickhouse' : `clickhouse ${warehouse.version}`, state: warehouseState, available: warehouseAvailable },
  };
}
