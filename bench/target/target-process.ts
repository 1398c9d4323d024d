/**
 * A process holding one thing under load, so the harness, k6 and the target each have their own
 * process and the target's memory and CPU profile are its own. Started by spawnTarget() with a
 * TargetSpec as JSON in argv[2]; talks to the harness over the IPC channel.
 */
import type { Histogram } from 'prom-client';
import { parseConfig } from '../../engine/config/index.js';
import { startEngine, type RunningEngine } from '../../engine/config/compose.js';
import { connectRedis } from '../../engine/redis/index.js';
import { BatchingSink } from '../../engine/warehouse/index.js';
import { startCeilingServer, type CeilingServer } from '../ceiling/index.js';
import { EMPTY_HISTOGRAM, type HistogramReading } from '../histogram/index.js';
import { DiscardWarehouse } from './discard-warehouse.js';
import { PauseMonitor } from './pause-monitor.js';
import { seedVisitors } from './seed-visitors.js';
import type { TargetReply, TargetRequest, TargetSpec, TargetStats } from './target-spec.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as TargetSpec;
const reply = (message: TargetReply): void => void process.send?.(message);

type OwnStats = Omit<TargetStats, 'at' | 'rss' | 'heapUsed' | 'cpuMicros'>;

async function engineStats(engine: RunningEngine): Promise<OwnStats> {
  const accepted = await engine.metrics.eventsAccepted.get();
  const triggers = await engine.metrics.triggers.get();
  const sockets = await engine.metrics.openSockets.get();
  const popins = await engine.metrics.popinSeconds.get();
  return {
    events: accepted.values.reduce((sum, sample) => sum + sample.value, 0),
    echoed: 0,
    sinkBuffered: engine.sink instanceof BatchingSink ? engine.sink.buffered : {},
    triggers: triggers.values.map((sample) => ({ scenario: String(sample.labels.scenario), status: String(sample.labels.status), count: sample.value })),
    openSockets: sockets.values[0]?.value ?? 0,
    popinSeconds: histogramReading(popins.values),
  };
}

/** The samples of prom-client's Histogram.get(): `_bucket` per `le`, then `_sum` and `_count`. */
type HistogramSamples = Awaited<ReturnType<Histogram['get']>>['values'];

function histogramReading(samples: HistogramSamples): HistogramReading {
  const buckets = samples.filter((sample) => sample.metricName?.endsWith('_bucket') === true && sample.labels.le !== '+Inf');
  return {
    bounds: buckets.map((sample) => Number(sample.labels.le)),
    cumulative: buckets.map((sample) => sample.value),
    count: samples.find((sample) => sample.metricName?.endsWith('_count') === true)?.value ?? 0,
  };
}

function ceilingStats(server: CeilingServer): OwnStats {
  return { events: server.counts.events, echoed: server.counts.echoed, sinkBuffered: {}, triggers: [], openSockets: 0, popinSeconds: EMPTY_HISTOGRAM };
}

async function main(): Promise<void> {
  let stats: () => Promise<OwnStats>;
  let seed: (visitors: number, prefix: string) => Promise<number> = async () => 0;
  let stop: () => Promise<void>;
  let port: number;
  if (spec.kind === 'engine') {
    const config = parseConfig(spec.config);
    const engine = await startEngine(config, spec.warehouse === 'discard' ? { warehouse: new DiscardWarehouse() } : {});
    stats = () => engineStats(engine);
    seed = (visitors, prefix) => seedVisitors(engine, visitors, prefix);
    stop = () => engine.stop();
    port = engine.port;
  } else {
    const redis = spec.redisUrl === undefined ? undefined : await connectRedis(spec.redisUrl, { purpose: 'the Redis echo', hotPath: true });
    const server = await startCeilingServer({ redis });
    stats = async () => ceilingStats(server);
    stop = async () => {
      server.close();
      await redis?.close();
    };
    port = server.port;
  }
  const pauses = new PauseMonitor();
  process.on('message', (request: TargetRequest) => {
    if (request.type === 'pauses') {
      reply({ type: 'pauses', id: request.id, pauses: pauses.take() });
      return;
    }
    if (request.type === 'stop') {
      void stop().then(() => process.exit(0));
      return;
    }
    if (request.type === 'seed') {
      void seed(request.visitors, request.prefix).then((failed) => reply({ type: 'seeded', id: request.id, failed }));
      return;
    }
    // With --expose-gc the harness can ask for memory after a full collection.
    if (request.gc === true) (globalThis as { gc?: () => void }).gc?.();
    void stats().then((own) => {
      const memory = process.memoryUsage();
      const cpu = process.cpuUsage();
      reply({ type: 'stats', id: request.id, stats: { at: Date.now(), rss: memory.rss, heapUsed: memory.heapUsed, cpuMicros: cpu.user + cpu.system, ...own } });
    });
  });
  process.on('disconnect', () => void stop().then(() => process.exit(0)));
  reply({ type: 'ready', port });
}

main().catch((error: unknown) => {
  reply({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
  process.disconnect?.();
});
