import { ManualClock } from '../events/index.js';
import { createReplayPipeline, type SiteProfile } from '../pipeline/index.js';
import { ScenarioEvaluator, type ChannelCap, type Channel, type Scenario } from '../scenarios/index.js';
import { MemoryWindowStore } from '../state/index.js';
import type { TriggerRow, WarehouseBackend } from '../warehouse/index.js';
import { storedEvents, type EventRange } from './stored-events.js';

export interface BacktestOptions {
  warehouse: WarehouseBackend;
  /** The scenarios to evaluate together (the candidate and, for priority, those already live). */
  scenarios: readonly Scenario[];
  /** Only these scenarios are reported; default: all. */
  report?: readonly string[];
  sites: readonly SiteProfile[];
  caps: Record<Channel, ChannelCap>;
  range: EventRange;
  /** After a firing, a purchase within this window counts as "bought anyway". Default: the scenario's goal, else 7 days. */
  attributionWindow?: number;
}

export interface BacktestDay {
  day: string;
  scenario: string;
  /** Distinct visitors the scenario fired for. */
  visitors: number;
  fired: number;
  suppressed: Record<string, number>;
  /** Visitors fired for who purchased within the attribution window anyway: the baseline to beat. */
  boughtAnyway: number;
}

export interface BacktestReport {
  events: number;
  /** Every trigger the replay recorded, as the live engine would have. */
  triggers: TriggerRow[];
  days: BacktestDay[];
}

const DAY = 86_400_000;

/**
 * What would these scenarios have done? Replays the stored events of a range through the live
 * pipeline's own code (an in-process store on a virtual clock, channels that only record), then
 * counts firings, suppressions and the purchases that happened anyway.
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestReport> {
  const clock = new ManualClock(options.range.from);
  const store = new MemoryWindowStore(undefined, clock);
  const evaluator = new ScenarioEvaluator(options.scenarios);
  const { replay, sink } = createReplayPipeline({ scenarios: options.scenarios, store, clock, sites: options.sites, caps: options.caps });
  const purchases = new Map<string, number[]>();
  let events = 0;
  for await (const event of storedEvents(options.warehouse, options.range)) {
    events++;
    if (event.type === 'purchase') {
      const key = `${event.site}\0${event.visitor}`;
      const times = purchases.get(key);
      if (times === undefined) purchases.set(key, [event.time]);
      else times.push(event.time);
    }
    await replay.event(event);
  }
  await replay.advanceTo(options.range.to);
  await store.close();
  return { events, triggers: sink.rows.triggers, days: summarise(options, evaluator, sink.rows.triggers, purchases) };
}

function summarise(
  options: BacktestOptions,
  evaluator: ScenarioEvaluator,
  triggers: readonly TriggerRow[],
  purchases: ReadonlyMap<string, number[]>,
): BacktestDay[] {
  const report = options.report === undefined ? undefined : new Set(options.report);
  const days = new Map<string, BacktestDay & { visitorSet: Set<string>; boughtSet: Set<string> }>();
  for (const trigger of triggers) {
    if (report !== undefined && !report.has(trigger.scenario_id)) continue;
    const day = new Date(Math.floor(trigger.time / DAY) * DAY).toISOString().slice(0, 10);
    const key = `${day}\0${trigger.scenario_id}`;
    let entry = days.get(key);
    if (entry === undefined) {
      entry = { day, scenario: trigger.scenario_id, visitors: 0, fired: 0, suppressed: {}, boughtAnyway: 0, visitorSet: new Set(), boughtSet: new Set() };
      days.set(key, entry);
    }
    if (trigger.status === 'suppressed') {
      entry.suppressed[trigger.reason] = (entry.suppressed[trigger.reason] ?? 0) + 1;
      continue;
    }
    const visitor = `${trigger.site}\0${trigger.visitor_id}`;
    entry.fired++;
    entry.visitorSet.add(visitor);
    const window = options.attributionWindow ?? evaluator.scenario(trigger.scenario_id)?.goal?.within ?? 7 * DAY;
    if ((purchases.get(visitor) ?? []).some((at) => at > trigger.time && at <= trigger.time + window)) entry.boughtSet.add(visitor);
  }
  return [...days.values()]
    .map(({ visitorSet, boughtSet, ...day }) => ({ ...day, visitors: visitorSet.size, boughtAnyway: boughtSet.size }))
    .sort((a, b) => a.day.localeCompare(b.day) || a.scenario.localeCompare(b.scenario));
}
