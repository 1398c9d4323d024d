import { withinDeadline } from '../events/index.js';
import type { WindowStore } from '../state/index.js';
import type { WarehouseBackend } from '../warehouse/index.js';

const HEALTH_TIMEOUT_MS = 2_000;

/** Health as /healthz reports it: the store and the warehouse each answer within a deadline. */
export async function checkHealth(store: WindowStore, warehouse: WarehouseBackend, storeKind: string): Promise<{ ok: boolean; [key: string]: unknown }> {
  const probe = async (check: () => Promise<unknown>) => {
    try {
      await withinDeadline(check(), HEALTH_TIMEOUT_MS);
      return 'ok';
    } catch (error) {
      return (error as Error).message;
    }
  };
  const [storeState, warehouseState] = await Promise.all([probe(() => store.ping()), probe(() => warehouse.query('SELECT 1 AS ok'))]);
  return {
    ok: storeState === 'ok' && warehouseState === 'ok',
    store: { kind: storeKind, state: storeState },
    warehouse: { kind: `clickhouse ${warehouse.version}`, state: warehouseState },
  };
}
