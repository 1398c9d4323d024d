import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmailChannel, TriggerEmailPort, type EmailTransport } from '../channels/email/index.js';
import { OutboxTransport } from '../channels/email/outbox/index.js';
import { SmtpTransport } from '../channels/email/smtp/index.js';
import { PopinChannel } from '../channels/popin/index.js';
import { WebhookChannel } from '../channels/webhook/index.js';
import { TemplateRenderer } from '../channels/templates/index.js';
import { DemoShop, loadCatalogue } from '../demo-shop/index.js';
import { systemClock, type Clock } from '../events/index.js';
import { Gateway, SocketRegistry, loadTrackerAssets, type PageSource } from '../gateway/index.js';
import { createLogger, createMetrics, type EngineMetrics, type Logger } from '../observability/index.js';
import { TriggerPipeline, type SiteProfile } from '../pipeline/index.js';
import { DeliveryPolicy, ScenarioEvaluator, loadScenarioFolder } from '../scenarios/index.js';
import { MemoryWindowStore, type RetentionPolicy, type WindowStore } from '../state/index.js';
import { RedisWindowStore } from '../state/redis/index.js';
import { BatchingSink, type EventSink, type WarehouseBackend } from '../warehouse/index.js';
import { ChdbWarehouse } from '../warehouse/chdb/index.js';
import { ServerWarehouse } from '../warehouse/server/index.js';
import type { TripwireConfig } from './schema.js';

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
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const close of [...closers].reverse()) await close();
    })());

  try {
    const store = config.store.redisUrl
      ? await RedisWindowStore.connect(config.store.redisUrl, { prefix: config.store.prefix, retention })
      : new MemoryWindowStore(retention, clock);
    closers.push(() => store.close());

    const warehouse = options.warehouse
      ?? (config.warehouse.clickhouseUrl
        ? await ServerWarehouse.connect(config.warehouse.clickhouseUrl, { database: config.warehouse.database })
        : await ChdbWarehouse.open(join(config.dataDir, 'chdb'), { database: config.warehouse.database }));
    closers.push(() => warehouse.close());
    await warehouse.migrate();
    const sink = new BatchingSink(warehouse, {
      batchSize: config.warehouse.batchSize,
      flushIntervalMs: config.warehouse.flushInterval,
      maxBufferedRows: config.warehouse.maxBufferedRows,
      onError: (error) => logger.error({ err: error }, 'warehouse insert failed; rows are kept and retried'),
    });
    closers.push(() => sink.close());

    const outboxDir = join(config.dataDir, 'outbox');
    const transport: EmailTransport = config.email.smtpUrl
      ? new SmtpTransport({ url: config.email.smtpUrl })
      : new OutboxTransport({ dir: outboxDir });
    closers.push(() => transport.close());
    const emailChannel = new EmailChannel({ transport, renderer: new TemplateRenderer({ dir: config.templates.dir }) });

    const scenarios = new ScenarioEvaluator(await loadScenarioFolder(config.scenarios.dir));
    const publicUrl = config.server.publicUrl;
    const catalogue = config.demo.enabled ? await loadCatalogue(join(root, config.demo.catalogue)) : undefined;
    const siteProfiles = new Map(
      config.sites.map((site) => {
        const profile: SiteProfile = { key: site.key, name: site.name, url: site.url, from: site.from, requireVerifiedEmail: site.requireVerifiedEmail };
        const policy = new DeliveryPolicy({ caps: config.policies.caps, requireVerifiedEmail: site.requireVerifiedEmail });
        return [site.key, { profile, policy }] as const;
      }),
    );

    const emails = new TriggerEmailPort({ channel: emailChannel, sites: siteProfiles, catalogue, sink, clock, logger });
    closers.push(() => emails.drain());
    const webhooks = new WebhookChannel({ secrets: new Map(config.sites.map((site) => [site.key, site.secret])), sink, clock, logger });
    closers.push(() => webhooks.drain());
    const registry = new SocketRegistry();
    const pipeline = new TriggerPipeline(
      {
        scenarios: { current: () => scenarios },
        store,
        sink,
        clock,
        logger,
        metrics,
        popins: new PopinChannel(registry),
        emails,
        webhooks,
        sites: siteProfiles,
      },
      { concurrency: 256, timerPollInterval: config.timers.pollInterval, timerBatch: config.timers.batch },
    );
    pipeline.start();
    closers.push(() => pipeline.stop());

    const demoSite = config.sites[0]!;
    const pages: PageSource[] = [];
    if (catalogue !== undefined) {
      const shop = new DemoShop({ catalogue, siteKey: demoSite.key, siteSecret: demoSite.secret });
      pages.push({ prefix: '/shop', handle: (request) => shop.handle(request) });
    }
    const gateway = new Gateway({
      host: config.server.host,
      port: config.server.port,
      limits: { ...config.gateway, maxEventAge: config.store.dedupeHorizon },
      sites: new Map(config.sites.map((site) => [site.key, { secret: site.secret }])),
      submit: (frame) => pipeline.submit(frame),
      registry,
      assets: await loadTrackerAssets(join(root, 'tracker', 'dist')),
      pages,
      home: catalogue === undefined ? undefined : '/shop/',
      health: async () => ({ ok: true, store: config.store.redisUrl ? 'redis' : 'memory', warehouse: `clickhouse ${warehouse.version}` }),
      metrics,
      logger,
      clock,
    });
    const port = await gateway.listen();
    // Closed first: no new frames while the pipeline drains.
    closers.push(async () => gateway.close());

    const url = publicUrl ?? `http://localhost:${port}`;
    return { port, url, config, store, warehouse, sink, pipeline, metrics, logger, outboxDir, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
