import type { BenchResults } from './bench-results.js';

const n = (value: number | undefined, digits = 0): string =>
  value === undefined || !Number.isFinite(value) ? 'n/a' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** A share as a whole percentage; n/a when not measured (undefined, or NaN where the machine has no such figure). */
export const pct = (value: number | undefined): string => (value === undefined || !Number.isFinite(value) ? 'n/a' : `${(value * 100).toFixed(0)}%`);
export const ms = (value: number | undefined): string => (value === undefined || Number.isNaN(value) ? 'n/a' : `${value.toFixed(2)} ms`);
/** A quantile read from histogram buckets: at the last finite bound it is only a floor. */
const insideMs = (value: number | undefined, lastBound: number | undefined): string => (value !== undefined && lastBound !== undefined && value >= lastBound ? `≥ ${ms(lastBound)}` : ms(value));
const kib = (bytes: number | undefined): string => (bytes === undefined ? 'n/a' : `${(bytes / 1024).toFixed(2)} KiB`);
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const cores = (server: number | undefined, k6: number | undefined): string =>
  server === undefined || k6 === undefined ? 'n/a' : `${server.toFixed(2)} + ${k6.toFixed(2)}`;

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** bench/results/latest.md: the tables bench/README.md copies. */
export function renderResults(results: BenchResults): string {
  const m = results.machine;
  return [
    `# Tripwire benchmark results (${results.mode})`,
    '',
    `${results.startedAt} · commit ${m.commit} · ${m.cpus} × ${m.cpuModel} · ${m.memoryGiB} GiB RAM · Node ${m.node} · ${m.k6}`,
    `Load average (1 min) at start ${m.loadAverage.start.toFixed(2)}, at end ${m.loadAverage.end.toFixed(2)}: anything above 0 is other work sharing the cores.`,
    `Scenarios: ${results.scenarios} · Redis: ${results.redis}${results.redisCluster === undefined ? '' : ` · Redis Cluster: ${results.redisCluster}`} · ClickHouse: ${results.clickhouse} · warehouse journal: ${results.journal === false ? 'off' : 'on'}`,
    '',
    '## Targets',
    table(
      ['target', 'wanted', 'measured', 'met'],
      results.targets.map((t) => [t.name, t.target, t.measured, t.met === undefined ? 'n/a' : t.met ? 'yes' : '**no**']),
    ),
    '',
    '## Throughput (closed loop: 50 sockets, 16 frames in flight each; counted by the server)',
    table(
      ['configuration', 'events/frame', 'events/s', 'of ceiling', 'of echo', 'server CPU/event', 'of ceiling by CPU', 'server cores', 'k6 cores', 'frame errors'],
      results.throughput.map((r) => [
        r.configuration,
        String(r.eventsPerFrame),
        n(r.eventsPerSecond),
        pct(r.ofCeiling),
        pct(r.ofEcho),
        `${n(r.cpuMicrosPerEvent, 1)} µs`,
        pct(r.capacityOfCeiling),
        n(r.targetCores, 2),
        n(r.k6Cores, 2),
        pct(r.frameErrors),
      ]),
    ),
    '',
    '## Event-to-pop-in latency (3rd product view → pop-in, same socket; echo = bare uWS round trip at the same load)',
    '',
    'Engine and echo run in alternating rounds; p50/p95/p99 are medians over the rounds, "by round" is each round\'s engine p99 ÷ the echo p99 of the same round, and "p99 / echo p99" the median of those. "All pop-ins inside the engine" is tripwire_popin_seconds over the engine rounds, interpolated in its buckets: every pop-in of the round, background visitors\' too (so not the probes\' share of p50/p99), from reading the frame that fired it off the socket to writing it; the wait before the engine reads a frame is not in it. "Cores" are what the server and k6 used during those rounds; "waited for a core" is the share of the time the server\'s main thread was ready to run but had no core (/proc schedstat), the part of a latency that is the shared machine.',
    '',
    table(
      ['configuration', 'load', 'events/s offered', 'events/s served', 'p50', 'p95', 'p99', 'all pop-ins inside the engine: p50 / p99', 'echo p50', 'echo p99', 'p99 / echo p99', 'by round', 'missed', 'cores: engine + k6', 'cores: echo + k6', 'waited for a core: engine / echo', 'engine loop delay p99', 'engine longest GC'],
      results.latency.map((r) => [
        r.configuration,
        pct(r.load),
        n(r.offeredEventsPerSecond),
        n(r.achievedEventsPerSecond),
        ms(r.p50),
        ms(r.p95),
        ms(r.p99),
        `${insideMs(r.insideP50, r.insideLastBoundMs)} / ${insideMs(r.insideP99, r.insideLastBoundMs)}`,
        ms(r.echoP50),
        ms(r.echoP99),
        `${r.p99Ratio.toFixed(1)}×`,
        r.p99Rounds.map((p99, i) => `${(p99 / r.echoP99Rounds[i]!).toFixed(1)}×`).join(' '),
        pct(r.missed),
        cores(r.engineCores, r.engineK6Cores),
        cores(r.echoCores, r.echoK6Cores),
        `${pct(r.engineWaitShare)} / ${pct(r.echoWaitShare)}`,
        ms(r.engineLoopDelayP99),
        r.engineGcMaxKind === undefined ? ms(r.engineGcMaxMs) : `${ms(r.engineGcMaxMs)} (${r.engineGcMaxKind})`,
      ]),
    ),
    ...redisFloorSection(results),
    '## Redis cost per event',
    table(
      ['events/frame', 'commands/event', 'round trips/event', 'calls/event by command'],
      results.redisCost.map((r) => [
        String(r.eventsPerFrame),
        n(r.commandsPerEvent, 3),
        n(r.roundTripsPerEvent, 3),
        Object.entries(r.callsPerEvent)
          .filter(([, calls]) => calls >= 0.001)
          .map(([name, calls]) => `${name} ${calls.toFixed(3)}`)
          .join(', '),
      ]),
    ),
    '',
    '## Memory',
    table(
      ['figure', 'value'],
      [
        [`engine RSS per 10k open sockets (${n(results.memory.socketsHeld)} held)`, mib(results.memory.rssPer10kSockets)],
        ['engine V8 heap per 10k open sockets', mib(results.memory.heapPer10kSockets)],
        ['Redis used_memory per active visitor', kib(results.memory.redisBytesPerVisitor)],
        ['in-process store heap per active visitor', kib(results.memory.heapBytesPerVisitor)],
      ],
    ),
    '',
    '## Cost per event as distinct visitors grow (store seeded with that many visitors first; medians of alternating rounds)',
    table(
      ['store', 'visitors', 'events/s', 'server CPU/event', 'by round', 'memory/visitor'],
      results.scaling.map((r) => [r.store, n(r.visitors), n(r.eventsPerSecond), `${n(r.cpuMicrosPerEvent, 1)} µs`, r.cpuRounds.map((cpu) => `${n(cpu, 1)} µs`).join(', '), kib(r.bytesPerVisitor)]),
    ),
    '',
    '## ClickHouse sink at max throughput',
    table(
      ['warehouse', 'events/frame', 'events/s', 'max rows buffered', 'rows buffered at end', 'drained in'],
      results.sink.map((r) => [r.warehouse, String(r.eventsPerFrame), n(r.eventsPerSecond), n(r.maxBufferedRows), n(r.bufferedAtEnd), r.drainSeconds === undefined ? 'not within 60 s' : `${r.drainSeconds.toFixed(1)} s`]),
    ),
    '',
    '## Notes',
    ...results.notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
}

/** The Redis echo floors beside the Redis store's latency rows, when the run measured them. */
function redisFloorSection(results: BenchResults): string[] {
  const rows = results.latency.flatMap((r) => (r.redisFloors ?? []).map((floor) => [r, floor] as const));
  if (rows.length === 0) return [''];
  return [
    '',
    '### The Redis round-trip floor (bare uWS server answering each frame after Redis round trips to the same Redis)',
    '',
    'In the same rounds as the row above it, at the same offered rate, the bare server answers each frame after one, or two, `INCR`s in a row on the Redis the engine uses (a pop-in on the Redis store waits for one, the frame\'s apply that takes its claims, or for two when its screening needs the profile the frame leaves). "p99 of echo" is each round\'s p99 ÷ the plain echo\'s p99 of that round, "engine p99 over it" the engine\'s p99 ÷ this one of that round, both medians over the rounds. Where the floor itself is over 3× the echo, no server that asks this Redis before it answers meets the pop-in target on this machine.',
    '',
    table(
      ['configuration', 'load', 'Redis round trips', 'p50', 'p99', 'by round', 'p99 of echo', 'engine p99 over it', 'cores', 'waited for a core'],
      rows.map(([r, floor]) => [
        r.configuration,
        pct(r.load),
        String(floor.trips),
        ms(floor.p50),
        ms(floor.p99),
        floor.p99Rounds.map((p99) => ms(p99)).join(', '),
        `${floor.ofEcho.toFixed(1)}×`,
        `${floor.engineOver.toFixed(1)}×`,
        n(floor.cores, 2),
        pct(floor.waitShare),
      ]),
    ),
    '',
  ];
}
