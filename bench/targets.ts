import { ms, pct, type BenchResults, type LatencyRow, type ScalingRow, type TargetCheck, type ThroughputRow } from './report/index.js';
import { medianOf } from './steps/median.js';

/** The issue's targets for this 2-core machine, checked against a run: reported, never asserted. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const throughput = (configuration: string) => results.throughput.find((r) => r.configuration.startsWith(configuration) && r.eventsPerFrame === 1);
  const memory = throughput('engine, in-process store, no warehouse');
  const redis = throughput('engine, Redis store, no warehouse');
  const scaling = results.scaling.filter((r) => r.store === 'memory' || r.store === 'redis');
  const flat = ['memory', 'redis'].map((store) => scalingGrowth(scaling.filter((r) => r.store === store)));
  const checks: TargetCheck[] = [
    ceilingCheck('in-process store vs ceiling (1-event frames)', 0.6, memory),
    ceilingCheck('Redis store vs ceiling (1-event frames)', 0.35, redis),
    latencyCheck(results, 'in-process'),
    latencyCheck(results, 'Redis'),
    {
      name: 'Redis memory per active visitor',
      target: '≤ 2 KB',
      measured: results.memory.redisBytesPerVisitor === undefined ? 'n/a' : `${Math.round(results.memory.redisBytesPerVisitor)} B`,
      met: results.memory.redisBytesPerVisitor === undefined ? undefined : results.memory.redisBytesPerVisitor <= 2048,
    },
  ];
  for (const [i, store] of ['in-process', 'Redis'].entries()) {
    const growth = flat[i];
    checks.push({
      name: `CPU per event, 100k vs 1k visitors (${store} store)`,
      target: 'flat (≤ 1.25×)',
      measured: growth === undefined ? 'n/a' : growth.byRound.length > 1 ? `${growth.median.toFixed(2)}× (median of ${growth.byRound.length} alternating rounds: ${growth.byRound.map((ratio) => `${ratio.toFixed(2)}×`).join(', ')})` : `${growth.median.toFixed(2)}×`,
      met: growth === undefined ? undefined : growth.median <= 1.25,
    });
  }
  return checks;
}

/** The pop-in latency target on one store: the Redis store is how a production cluster runs. */
function latencyCheck(results: BenchResults, store: 'in-process' | 'Redis'): TargetCheck {
  const latency = results.latency.find((r) => r.configuration.startsWith(`engine, ${store} store`) && r.load === 0.25);
  return {
    name: `pop-in p99 at 25% load vs bare echo p99 (${store} store)`,
    target: '≤ 3×',
    measured:
      latency === undefined
        ? 'n/a'
        : `${latency.p99Ratio.toFixed(2)}× (median of ${latency.rounds} alternating rounds: ${latency.p99Rounds.map((p99, i) => `${p99.toFixed(1)}/${latency.echoP99Rounds[i]!.toFixed(1)} ms`).join(', ')}; waited for a core: engine ${pct(latency.engineWaitShare)}, echo ${pct(latency.echoWaitShare)}; all pop-ins inside the engine p99 ${ms(latency.insideP99)}${floorNote(latency)})`,
    met: latency === undefined ? undefined : latency.p99Ratio <= 3,
  };
}

/** The Redis floor beside a Redis row: where it alone is over 3× the echo, the target is out of any Redis-backed server's reach here. */
function floorNote(latency: LatencyRow): string {
  const floor = latency.redisFloors?.find((f) => f.trips === 1);
  return floor === undefined ? '' : `; a bare server answering after one Redis round trip: ${floor.ofEcho.toFixed(1)}× the echo, the engine ${floor.engineOver.toFixed(1)}× that`;
}

/** Met on measured events/s; the CPU-derived share is shown beside it, since k6 shares the cores. */
function ceilingCheck(name: string, wanted: number, row: ThroughputRow | undefined): TargetCheck {
  return {
    name,
    target: `≥ ${pct(wanted)}`,
    measured: `${pct(row?.ofCeiling)} measured, ${pct(row?.capacityOfCeiling)} by CPU per event`,
    met: row?.ofCeiling === undefined ? undefined : row.ofCeiling >= wanted,
  };
}

/**
 * CPU per event at the largest population over the smallest, round by round (both measured in
 * the same round, minutes apart at most), and the median of those ratios.
 */
function scalingGrowth(rows: readonly ScalingRow[]): { median: number; byRound: number[] } | undefined {
  const first = rows[0];
  const last = rows.at(-1);
  if (first === undefined || last === undefined) return undefined;
  const byRound = last.cpuRounds.map((cpu, round) => cpu / first.cpuRounds[round]!);
  return { median: medianOf(byRound), byRound };
}
