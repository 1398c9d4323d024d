import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PopinChannel } from '../channels/popin/index.js';
import { BacktestApi } from '../backtest/index.js';
import { TripwireError } from '../errors.js';
import { AdminAuth, Dashboard, QueryApi } from '../dashboard/index.js';
import { DemoShop, loadCatalogue } from '../demo-shop/index.js';
import { systemClock, type Clock } from '../events/index.js';
import { Gateway, SocketRegistry, VisitorCookiePage, loadTrackerAssets, type PageSource } from '../gateway/index.js';
import { createLogger, createMetrics, type EngineMetrics, type Logger, type QueueCounts } from '../observability/index.js';
import { TriggerPipeline, type SiteProfile } from '../pipeline/index.js';
import { DeliveryPolicy, formatProblems } from '../scenarios/index.js';
import { MemoryWindowStore, type RetentionPolicy, type WindowStore } from '../state/index.js';
import { RedisWindowStore } from '../state/redis/index.js';
import { BatchingSink, WaitingWarehouse, type EventSink, type WarehouseBackend } from '../warehouse/index.js';
import { EmailLinkPages, TriggerEmailPort } from '../mailer/index.js';
import { SegmentScheduler } from '../multicast/index.js';
import { readQueueDepths } from '../queue/index.js';
import { composeCatalogue, type ComposedCatalogue } from './compose-catalogue.js';
import { composeScenarios, scenarioSetup } from './compose-scenarios.js';
import { composeMailer, type ComposedMailer } from './compose-mailer.js';
import { composeWarehouse } from './compose-warehouse.js';
import { composeWebhooks, type ComposedWebhooks } from './compose-webhooks.js';
import { DataDirLock } from './data-dir-lock.js';
import { DrainDeadline } from './drain-deadline.js';
import { QUEUE_DEPTH_TIMEOUT_MS, checkHealth } from './health.js';
import type { TripwireConfig } from './schema.js';

export { composeMailer, composeCatalogue, composeWebhooks };
export { checkScenarioSetup, composeScenarios, scenarioSetup } from './compose-scenarios.js';
export type { ScenarioSetup, SetupCheck } from './compose-scenarios.js';
export type { ComposedMailer, MailerDeps } from './compose-mailer.js';
export type { ComposedCatalogue, CatalogueDeps } from './compose-catalogue.js';
export type { ComposedWebhooks, WebhookDeps } from './compose-webhooks.js';

/** The running engine, as `npm start` and the tests hold it. */
export interface RunningEngine {
  port: number;
  url: string;
  config: TripwireConfig;
  store: WindowStore;
  warehouse: WarehouseBackend;
  sink: EventSink;
  pipeline: TriggerPipeline;
  metrics: EngineMetrics;
  logger: Logger;
  /** Where emails are written when no SMTP server is configured. */
  outboxDir: string;
  mailer: ComposedMailer;
  /** The webhook queue and this engine's worker on it. */
  webhooks: ComposedWebhooks;
  /** The product catalogue, its interest index and feed (docs/catalogue.md). */
  catalogue: ComposedCatalogue;
  /** Scheduled sends to segments (`when: schedule` scenarios). */
  schedules: SegmentScheduler;
  /** Bearer token of /api/queries and the /dashboard sign-in. */
  adminToken: string;
  /** True when no admin.token was configured and this one was made at start (the banner prints it). */
  adminTokenGenerated: boolean;
  stop(): Promise<void>;
}

export interface ComposeOptions {
  clock?: Clock;
  logger?: Logger;
  /** Used instead of the configured ClickHouse: benchmarks measure the engine without a warehouse this way. */
  warehouse?: WarehouseBackend;
}

/** Project root, found from this file in engine/config/ or dist/engine/config/. */
export function projectRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return here.includes(`${join('dist', 'engine')}`) ? join(here, '..', '..', '..') : join(here, '..', '..');
}

/**
 * The composition root: the one place that picks adapters. Embedded defaults (in-process
 * store, chdb, outbox folder) unless REDIS_URL, CLICKHOUSE_URL or SMTP_URL say otherwise.
 */
export async function startEngine(config: TripwireConfig, options: ComposeOptions = {}): Promise<RunningEngine> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.log.level);
  const metrics = createMetrics();
  const root = projectRoot();
  const retention: RetentionPolicy = { profileTtl: config.store.profileTtl, dedupeHorizon: config.store.dedupeHorizon };
  const closers: Array<() => Promise<void>> = [];
  const drain = new DrainDeadline(config.server.drainTimeout, logger);
  let stopping: Promise<void> | undefined;
  let dataDirState = 'ok';
  // Every closer runs, in reverse order of start, even when one fails: a failing sink must not keep the store open.
  const stopAll = () =>
    (stopping ??= (async () => {
      const failures: unknown[] = [];
      for (const close of [...closers].reverse()) {
        try {
          await close();
        } catch (error) {
          failures.push(error);
          logger.error({ err: error }, 'a component failed to close');
        }
      }
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) throw new AggregateError(failures, `${failures.length} components failed to close`);
    })());

  try {
    // Before anything opens the folder: a second engine on it would replay the first's journal and spill as its own.
    const lock = await DataDirLock.take(config.dataDir, {
      onRefreshFailed: (error) => {
        dataDirState = error.message;
        metrics.dataDirLockRefreshFailures.inc();
        logger.error({ err: error }, 'the data folder lock could not be refreshed; /healthz lists dataDir in degraded until it is');
      },
      onRefreshedAgain: () => {
        dataDirState = 'ok';
        logger.info('the data folder lock is refreshed again');
      },
      onPutBack: (file) => logger.warn({ file }, 'the data folder lock had been removed, and no other engine had placed one: it is back; check what removes files from the data folder'),
    });
    closers.push(() => lock.release());
    const store = config.store.redisUrl
      ? await RedisWindowStore.connect(config.store.redisUrl, { prefix: config.store.prefix, retention, cluster: config.store.redisCluster })
      : new MemoryWindowStore(retention, clock);
    closers.push(() => store.close());

    let onWarehouseReady = (): void => undefined;
    const warehouse = options.warehouse ?? (await composeWarehouse(config, { logger, onReady: () => onWarehouseReady() }));
    closers.push(() => warehouse.close());
    if (options.warehouse !== undefined) await warehouse.migrate();
    const sink = new BatchingSink(warehouse, {
      batchSize: config.warehouse.batchSize,
      flushIntervalMs: config.warehouse.flushInterval,
      highWaterMark: config.warehouse.maxBufferedRows,
      spillDir: join(config.dataDir, 'spill'),
      spillAfterFailures: config.warehouse.spillAfterFailures,
      spillMaxBytes: config.warehouse.spillMaxBytes,
      journalDir: config.warehouse.journal ? join(config.dataDir, 'journal') : undefined,
      onError: (error) =>
        logger.error(
          { err: error },
          error.code === 'TW_WAREHOUSE_REJECTED'
            ? 'ClickHouse refused a batch as malformed'
            : error.code === 'TW_WAREHOUSE_SPILL'
              ? 'the warehouse spill folder or journal failed (dataDir/spill, dataDir/journal)'
              : error.code === 'TW_WAREHOUSE_JOURNAL'
                ? 'the warehouse journal is degraded (dataDir/journal): rows are kept in memory, a crash of the engine would lose them'
                : error.code === 'TW_INTERNAL'
                  ? 'a defect in the warehouse journal\'s reporting: the message says what it cost'
                  : 'warehouse insert failed; rows are kept (in memory or dataDir/spill) and retried',
        ),
      onRejected: (table, rows) => metrics.warehouseRowsRejected.inc({ table }, rows),
      onWarning: (message) => logger.warn(message),
      onJournalFailed: () => metrics.warehouseJournalFailures.inc(),
      onJournalAppendTimed: (seconds) => metrics.warehouseJournalAppendSeconds.observe(seconds),
    });
    closers.push(() => sink.close());
    // Rows held back while the server was unreachable go as soon as the schema is in place, not
    // after the sink's backoff. A flush that fails has already been reported through onError.
    onWarehouseReady = () => void sink.flush().catch(() => undefined);
    metrics.reportWarehouse(() => (!(warehouse instanceof WaitingWarehouse) || warehouse.available) && !sink.failing);

    const scenarios = await composeScenarios(scenarioSetup(config), {
      onReload: ({ scenarios: count, problems }) => {
        if (problems.length === 0) logger.info({ scenarios: count }, 'scenarios reloaded');
        else logger.error({ problems: formatProblems(problems) }, 'scenario folder has problems; the previous scenarios stay in force');
      },
      onReloadFailed: (error) => logger.error({ err: error }, 'reloading the scenario folder failed; the previous scenarios stay in force'),
    });
    scenarios.watch();
    closers.push(async () => scenarios.close());
    const publicUrl = config.server.publicUrl;
    const catalogue = config.demo.enabled ? await loadCatalogue(join(root, config.demo.catalogue)) : undefined;
    const products = await composeCatalogue(config, { store, clock, logger, demo: catalogue?.products });
    closers.push(() => products.close());
    const siteProfiles = new Map(
      config.sites.map((site) => {
        const profile: SiteProfile = { key: site.key, name: site.name, url: site.url, from: site.from, requireVerifiedEmail: site.requireVerifiedEmail };
        const policy = new DeliveryPolicy({ caps: config.policies.caps, requireVerifiedEmail: site.requireVerifiedEmail });
        return [site.key, { profile, policy }] as const;
      }),
    );

    let engineUrl = publicUrl ?? '';
    const mailer = await composeMailer(config, { clock, logger, warehouse, sink, catalogue: products.mirror, profiles: store, baseUrl: () => engineUrl });
    closers.push(() => mailer.close());
    const outboxDir = mailer.outboxDir;
    const emails = new TriggerEmailPort({ queue: mailer.queue, sites: mailer.sites, catalogue: products.mirror, log: mailer.log, clock, onEnqueued: () => mailer.worker.wake() });
    if (config.mailer.worker === 'inline') mailer.worker.start();
    const webhooks = await composeWebhooks(config, { clock, logger, sink, metrics });
    closers.push(() => webhooks.close());
    const queues = { mail: mailer.queue, webhook: webhooks.queue };
    metrics.reportQueues(async () => {
      const readings = await readQueueDepths(queues, QUEUE_DEPTH_TIMEOUT_MS);
      return Object.fromEntries(
        Object.entries(readings).map(([queue, reading]): [string, QueueCounts] => [
          queue,
          reading.state === 'ok' ? { state: 'counted', jobs: { ready: reading.ready, held: reading.held, delayed: reading.delayed, dead: reading.dead } } : { state: 'unknown' },
        ]),
      );
    });
    // A visitor's state in the engine's memory may leave the V8 heap once its last tab closed.
    const registry = new SocketRegistry(
      (visitor) => store.connected(visitor),
      (visitor) => store.disconnected(visitor, clock.now()),
    );
    // Made last, once the pages exist; its connections are closed here, after the pipeline has
    // drained (closers run in reverse), so the acks of the frames in flight reach their clients.
    let gateway: Gateway | undefined;
    closers.push(async () => gateway?.close());
    const pipeline = new TriggerPipeline(
      {
        scenarios,
        store,
        sink,
        clock,
        logger,
        metrics,
        popins: new PopinChannel(registry),
        emails,
        webhooks: webhooks.channel,
        sites: siteProfiles,
      },
      { batchSize: 256, batchesInFlight: 32, timerPollInterval: config.timers.pollInterval, timerBatch: config.timers.batch },
    );
    pipeline.start();
    closers.push(() => drain.within('pipeline', pipeline.stop()));
    const schedules = new SegmentScheduler(
      { scenarios, store, warehouse, suppressions: mailer.suppressions, delivery: pipeline, sites: config.sites.map((site) => site.key), clock, logger },
      { pollInterval: config.schedules.pollInterval, batch: config.schedules.batch },
    );
    schedules.start();
    // Closers run in reverse: the send under way finishes before the pipeline stops.
    closers.push(() => drain.within('scheduled sends', schedules.stop()));
    const feed = products.connect(pipeline);
    // Closers run in reverse: fan-outs under way finish before the pipeline stops.
    closers.push(() => drain.within('catalogue fan-outs', feed.fanOut.drain()));

    // The demo is on only with the built-in demo site (withDemoSite): its sign-in signs any address with this secret.
    const demoSite = config.sites[0]!;
    const pages: PageSource[] = [feed.api];
    if (catalogue !== undefined) {
      const shop = new DemoShop({ catalogue, siteKey: demoSite.key, siteSecret: demoSite.secret });
      pages.push({ prefix: '/shop', handle: (request) => shop.handle(request) });
    }
    const siteNames = new Map(config.sites.map((site) => [site.key, site.name]));
    pages.push(...new EmailLinkPages({ links: mailer.links, suppressions: mailer.suppressions, log: mailer.log, clock, siteNames }).sources());
    // The tracker's first-party visitor cookie, for sites serving the engine under their own origin (docs/tracker.md).
    pages.push(new VisitorCookiePage({ secure: publicUrl?.startsWith('https:') ?? false }));
    const adminToken = config.admin.token ?? randomBytes(24).toString('base64url');
    const adminAuth = new AdminAuth(adminToken);
    pages.push(new QueryApi({ warehouse, suppressions: mailer.suppressions, auth: adminAuth, logger }), new Dashboard({ warehouse, auth: adminAuth, logger, httpsHost: publicUrl?.startsWith('https:') ? new URL(publicUrl).host : undefined }));
    pages.push(
      new BacktestApi({
        warehouse,
        auth: adminAuth,
        live: () => scenarios.current().scenarios,
        sites: [...siteProfiles.values()].map((site) => site.profile),
        caps: config.policies.caps,
        logger,
      }),
    );
    gateway = new Gateway({
      host: config.server.host,
      port: config.server.port,
      limits: { ...config.gateway, maxEventAge: config.store.dedupeHorizon },
      sites: new Map(config.sites.map((site) => [site.key, { secret: site.secret }])),
      submit: (frame) => products.tracker.forward(frame, (tracked) => pipeline.submit(tracked)),
      registry,
      assets: await loadTrackerAssets(join(root, 'tracker', 'dist')),
      pages,
      home: catalogue === undefined ? undefined : '/shop/',
      health: () =>
        checkHealth(
          store,
          warehouse,
          sink.failure,
          config.store.redisUrl ? 'redis' : 'memory',
          { enabled: config.warehouse.journal, failing: sink.journalFailing, failures: sink.journalFailures, slowDisk: sink.journalSlowDisk },
          queues,
          { state: dataDirState },
        ),
      metrics,
      logger,
      clock,
    });
    const port = await gateway.listen();
    // First to run: new connections and frames are refused (TW_SHUTTING_DOWN) while the work in flight drains.
    closers.push(async () => {
      drain.start();
      gateway?.stopAccepting();
    });

    const url = publicUrl ?? `http://localhost:${port}`;
    engineUrl = url;
    const adminTokenGenerated = config.admin.token === undefined;
    return { port, url, config, store, warehouse, sink, pipeline, metrics, logger, outboxDir, mailer, webhooks, catalogue: products, schedules, adminToken, adminTokenGenerated, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
