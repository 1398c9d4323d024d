import {
  attributedOrders,
  eventsPerMinute,
  funnelByDay,
  runQuery,
  scenarioKpis,
  type AttributedOrders,
  type FunnelDayRow,
  type ScenarioKpiRow,
  type WarehouseBackend,
} from '../warehouse/index.js';
import type { RatePoint } from './charts.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** What the dashboard shows, read from the warehouse in four queries. */
export interface DashboardData {
  now: number;
  days: number;
  /** Events per minute over the last hour, minutes without events included as 0. */
  rate: RatePoint[];
  kpis: ScenarioKpiRow[];
  /** The tiles' orders and revenue: an order that followed two scenarios' triggers is one order, not two. */
  attributed: AttributedOrders;
  funnel: FunnelDayRow[];
  warehouseVersion: string;
}

export async function readDashboardData(warehouse: WarehouseBackend, now: number, days: number): Promise<DashboardData> {
  const currentMinute = Math.floor(now / MINUTE) * MINUTE;
  const firstMinute = currentMinute - 59 * MINUTE;
  const period = { from: now - days * DAY, to: now + 1 };
  const [perMinute, kpis, attributed, funnel] = await Promise.all([
    runQuery(warehouse, eventsPerMinute({ from: firstMinute, to: currentMinute + MINUTE })),
    scenarioKpis(warehouse, period),
    attributedOrders(warehouse, period),
    funnelByDay(warehouse, { from: Math.floor((now - days * DAY) / DAY) * DAY, to: now + 1 }),
  ]);
  const counts = new Map(perMinute.map((row) => [Date.parse(`${row.minute.replace(' ', 'T')}Z`), Number(row.events)]));
  const rate = Array.from({ length: 60 }, (_, i) => {
    const time = firstMinute + i * MINUTE;
    return { time, value: counts.get(time) ?? 0 };
  });
  return { now, days, rate, kpis, attributed, funnel, warehouseVersion: warehouse.version };
}
