import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmailChannel, EmailLinks, WarehouseRecommender, type EmailSite, type EmailTransport } from '../channels/email/index.js';
import { OutboxTransport } from '../channels/email/outbox/index.js';
import { SmtpTransport } from '../channels/email/smtp/index.js';
import { PopinChannel } from '../channels/popin/index.js';
import { WebhookChannel } from '../channels/webhook/index.js';
import { TemplateRenderer } from '../channels/templates/index.js';
import { BacktestApi } from '../backtest/index.js';
import { AdminAuth, Dashboard, QueryApi } from '../dashboard/index.js';
import { DemoShop, loadCatalogue } from '../demo-shop/index.js';
import { systemClock, type Clock } from '../events/index.js';
import { Gateway, SocketRegistry, VisitorCookiePage, loadTrackerAssets, type PageSource } from '../gateway/index.js';
import { createLogger, createMetrics, type EngineMetrics, type Logger } from '../observability/index.js';
import { TriggerPipeline, type SiteProfile } from '../pipeline/index.js';
import { DeliveryPolicy, ScenarioLibrary, formatProblems } from '../scenarios/index.js';
import { loadPack } from '../scenarios/pack/index.js';
import { MemoryInterestIndex, MemoryWindowStore, type InterestIndex, type RetentionPolicy, type WindowStore } from '../state/index.js';
import { RedisWindowStore } from '../state/redis/index.js';
import { BatchingSink, type EventSink, type WarehouseBackend } from '../warehouse/index.js';
import { ChdbWarehouse } from '../warehouse/chdb/index.js';
import { ServerWarehouse } from '../warehouse/server/index.js';
import {
  CatalogueApi,
  CatalogueFanOut,
  CatalogueFeed,
  CatalogueMirror,
  InterestTracker,
  seedCatalogue,
  type CatalogueStore,
} from '../catalogue/index.js';
import { MemoryCatalogueStore } from '../catalogue/memory/index.js';
import { RedisCatalogueStore } from '../catalogue/redis/index.js';
import {
  DeliveryLog,
  EmailLinkPages,
  MailerWorker,
  MemoryEmailQueue,
  MemorySendLedger,
  MemorySuppressionList,
  Personaliser,
  TriggerEmailPort,
  type EmailQueue,
  type SendLedger,
  type SuppressionList,
} from '../mailer/index.js';
import { RedisMailerStore } from '../mailer/redis/index.js';
import { TripwireError } from '../errors.js';
import type { ProductCatalogue } from '../pipeline/index.js';
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
  mailer: ComposedMailer;
  /** The product catalogue, its interest index and feed (docs/catalogue.md). */
  catalogue: ComposedCatalogue;
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

const HEALTH_TIMEOUT_MS = 2_000;

/** Health as /healthz reports it: the store and the warehouse each answer within a deadline. */
async function checkHealth(store: WindowStore, warehouse: WarehouseBackend, storeKind: string): Promise<{ ok: boolean; [key: string]: unknown }> {
  const probe = async (check: () => Promise<unknown>) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
    });
    try {
      await Promise.race([check(), deadline]);
      return 'ok';
    } catch (error) {
      return (error as Error).message;
    } finally {
      clearTimeout(timer);
    }
  };
  const [storeState, warehouseState] = await Promise.all([probe(() => store.ping()), probe(() => warehouse.query('SELECT 1 AS ok'))]);
  return {
    ok: storeState === 'ok' && warehouseState === 'ok',
    store: { kind: storeKind, state: storeState },
    warehouse: { kind: `clickhouse ${warehouse.version}`, state: warehouseState },
  };
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
      highWaterMark: config.warehouse.maxBufferedRows,
      spillDir: join(config.dataDir, 'spill'),
      spillAfterFailures: config.warehouse.spillAfterFailures,
      spillMaxBytes: config.warehouse.spillMaxBytes,
      onError: (error) => logger.error({ err: error }, 'warehouse insert failed; rows are kept (in memory or dataDir/spill) and retried'),
    });
    closers.push(() => sink.close());

    const scenarios = await ScenarioLibrary.open({
      dir: config.scenarios.dir,
      extra: await loadPack(config.scenarios.pack),
      onReload: ({ scenarios: count, problems }) => {
        if (problems.length === 0) logger.info({ scenarios: count }, 'scenarios reloaded');
        else logger.error({ problems: formatProblems(problems) }, 'scenario folder has problems; the previous scenarios stay in force');
      },
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
    const mailer = await composeMailer(config, { clock, logger, warehouse, sink, catalogue: products.mirror, baseUrl: () => engineUrl });
    closers.push(() => mailer.close());
    const outboxDir = mailer.outboxDir;
    const emails = new TriggerEmailPort({ queue: mailer.queue, sites: mailer.sites, catalogue: products.mirror, log: mailer.log, clock, onEnqueued: () => mailer.worker.wake() });
    if (config.mailer.worker === 'inline') mailer.worker.start();
    const webhooks = new WebhookChannel({ secrets: new Map(config.sites.map((site) => [site.key, site.secret])), sink, clock, logger });
    closers.push(() => webhooks.drain());
    const registry = new SocketRegistry();
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
        webhooks,
        sites: siteProfiles,
      },
      { concurrency: 256, timerPollInterval: config.timers.pollInterval, timerBatch: config.timers.batch },
    );
    pipeline.start();
    closers.push(() => pipeline.stop());
    const feed = products.connect(pipeline);
    // Closers run in reverse: fan-outs under way finish before the pipeline stops.
    closers.push(() => feed.fanOut.drain());

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
    pages.push(new QueryApi({ warehouse, auth: adminAuth, logger }), new Dashboard({ warehouse, auth: adminAuth, logger }));
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
    const gateway = new Gateway({
      host: config.server.host,
      port: config.server.port,
      limits: { ...config.gateway, maxEventAge: config.store.dedupeHorizon },
      sites: new Map(config.sites.map((site) => [site.key, { secret: site.secret }])),
      submit: (frame) => pipeline.submit(products.tracker.track(frame)),
      registry,
      assets: await loadTrackerAssets(join(root, 'tracker', 'dist')),
      pages,
      home: catalogue === undefined ? undefined : '/shop/',
      health: () => checkHealth(store, warehouse, config.store.redisUrl ? 'redis' : 'memory'),
      metrics,
      logger,
      clock,
    });
    const port = await gateway.listen();
    // Closed first: no new frames while the pipeline drains.
    closers.push(async () => gateway.close());

    const url = publicUrl ?? `http://localhost:${port}`;
    engineUrl = url;
    const adminTokenGenerated = config.admin.token === undefined;
    return { port, url, config, store, warehouse, sink, pipeline, metrics, logger, outboxDir, mailer, catalogue: products, adminToken, adminTokenGenerated, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The mailer's parts, as the engine and a `tripwire mailer` process hold them. */
export interface ComposedMailer {
  queue: EmailQueue;
  ledger: SendLedger;
  suppressions: SuppressionList;
  channel: EmailChannel;
  links: EmailLinks;
  /** Sender identity per site key. */
  sites: ReadonlyMap<string, EmailSite>;
  log: DeliveryLog;
  /** Not started: the caller starts it where it should run. */
  worker: MailerWorker;
  outboxDir: string;
  /** Stops the worker (an in-process queue is worked empty first: it dies with the process), then closes. */
  close(): Promise<void>;
}

export interface MailerDeps {
  clock: Clock;
  logger: Logger;
  warehouse: WarehouseBackend;
  sink: EventSink;
  catalogue: ProductCatalogue | undefined;
  /** The engine's public URL, which email links point at. */
  baseUrl: () => string;
}

/** Queue, ledger and suppression list on Redis when REDIS_URL is set, else in process; SMTP when SMTP_URL is set, else the outbox. */
export async function composeMailer(config: TripwireConfig, deps: MailerDeps): Promise<ComposedMailer> {
  const { clock, logger } = deps;
  if (config.mailer.worker === 'off' && !config.store.redisUrl) {
    throw new TripwireError('TW_CONFIG_INVALID', "mailer.worker is 'off' but the mail queue is in process: set REDIS_URL so `tripwire mailer` processes can share it, or keep the worker inline.");
  }
  const sites = new Map<string, EmailSite>();
  for (const site of config.sites) {
    const dkim = site.dkim === undefined ? undefined : { ...site.dkim, privateKey: await readDkimKey(site.key, site.dkim.privateKey) };
    sites.set(site.key, {
      key: site.key,
      name: site.name,
      from: site.from,
      publicUrl: site.url.replace(/\/$/, ''),
      ...(dkim === undefined ? {} : { dkim }),
      ...(site.unsubscribeMailto === undefined ? {} : { unsubscribeMailto: site.unsubscribeMailto }),
    });
  }
  const redis = config.store.redisUrl
    ? await RedisMailerStore.connect(config.store.redisUrl, { prefix: config.store.prefix, clock, ledgerRetention: config.mailer.sentRetention })
    : undefined;
  const queue = redis?.queue ?? new MemoryEmailQueue({ clock });
  const ledger = redis?.ledger ?? new MemorySendLedger({ clock, retention: config.mailer.sentRetention });
  const suppressions = redis?.suppressions ?? new MemorySuppressionList();
  const outboxDir = join(config.dataDir, 'outbox');
  const transport: EmailTransport = config.email.smtpUrl ? new SmtpTransport({ url: config.email.smtpUrl }) : new OutboxTransport({ dir: outboxDir });
  const links = new EmailLinks({ baseUrl: deps.baseUrl, secrets: new Map(config.sites.map((site) => [site.key, site.secret])) });
  const channel = new EmailChannel({ transport, renderer: new TemplateRenderer({ dir: config.templates.dir }), links });
  const recommender = config.mailer.recommendations > 0 ? new WarehouseRecommender({ warehouse: deps.warehouse, clock }) : undefined;
  const personaliser = new Personaliser({
    sites,
    ...(recommender === undefined ? {} : { recommender }),
    ...(deps.catalogue === undefined ? {} : { catalogue: deps.catalogue }),
    logger,
    recommendations: config.mailer.recommendations,
  });
  const log = new DeliveryLog(deps.sink, clock);
  const worker = new MailerWorker(
    { queue, ledger, suppressions, sender: channel, personalise: (job) => personaliser.personalise(job), log, clock, logger },
    {
      retry: { attempts: config.mailer.attempts, baseDelay: config.mailer.retryDelay, maxDelay: config.mailer.maxRetryDelay },
      leaseMs: config.mailer.lease,
      reclaimAfterMs: config.mailer.reclaimAfter,
      pollIntervalMs: config.mailer.pollInterval,
      batch: config.mailer.batch,
    },
  );
  return {
    queue,
    ledger,
    suppressions,
    channel,
    links,
    sites,
    log,
    worker,
    outboxDir,
    close: async () => {
      await worker.stop();
      if (redis === undefined && config.mailer.worker === 'inline') while ((await worker.work()) > 0);
      await transport.close();
      await redis?.close();
    },
  };
}

async function readDkimKey(site: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new TripwireError('TW_CONFIG_INVALID', `sites[${site}].dkim.privateKey: cannot read the key file ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** The engine's product catalogue: store, in-process mirror, interest index; the feed once the pipeline exists. */
export interface ComposedCatalogue {
  store: CatalogueStore;
  mirror: CatalogueMirror;
  interests: InterestIndex;
  tracker: InterestTracker;
  connect(pipeline: TriggerPipeline): { feed: CatalogueFeed; fanOut: CatalogueFanOut; api: CatalogueApi };
  close(): Promise<void>;
}

export interface CatalogueDeps {
  store: WindowStore;
  clock: Clock;
  logger: Logger;
  /** The demo catalogue's products, added to the first site's catalogue where missing. */
  demo: ReadonlyArray<{ id: string; name: string; price: number; category: string; stock: 'in_stock' | 'out_of_stock'; url: string; image: string }> | undefined;
}

/** On Redis when REDIS_URL is set (the interest index on the window store's connection), else in process. */
export async function composeCatalogue(config: TripwireConfig, deps: CatalogueDeps): Promise<ComposedCatalogue> {
  const { clock, logger } = deps;
  const settings = config.catalogue;
  const bounds = { maxVisitorsPerProduct: settings.maxInterestedVisitors, maxAge: settings.interestMaxAge };
  const interests = deps.store instanceof RedisWindowStore ? deps.store.interestIndex(bounds) : new MemoryInterestIndex(bounds);
  const store: CatalogueStore = config.store.redisUrl
    ? await RedisCatalogueStore.connect(config.store.redisUrl, {
        prefix: config.store.prefix,
        onError: (error) => logger.warn({ err: error }, 'catalogue Redis connection error; reconnecting'),
      })
    : new MemoryCatalogueStore();
  const sites = config.sites.map((site) => site.key);
  const mirror = new CatalogueMirror(store, sites[0]!);
  let refresher: NodeJS.Timeout | undefined;
  try {
    if (deps.demo !== undefined) await seedCatalogue(store, mirror, sites[0]!, deps.demo, clock.now());
    await mirror.refresh(sites);
  } catch (error) {
    await store.close();
    throw error;
  }
  if (config.store.redisUrl) {
    // Other engines sharing the store write to it too.
    refresher = setInterval(() => {
      mirror.refresh(sites).catch((error: unknown) => logger.error({ err: error }, 'catalogue refresh failed; retrying at the next interval'));
    }, settings.refreshInterval);
    refresher.unref();
  }
  return {
    store,
    mirror,
    interests,
    tracker: new InterestTracker({ index: interests, logger }),
    connect: (pipeline) => {
      const fanOut = new CatalogueFanOut(
        { index: interests, store: deps.store, intake: pipeline, clock, logger },
        { viewedWithin: settings.viewedWithin, concurrency: settings.fanOutConcurrency },
      );
      const feed = new CatalogueFeed({ store, mirror, fanOut, clock, logger });
      const secrets = new Map(config.sites.map((site) => [site.key, site.secret]));
      const api = new CatalogueApi({ feed, store, secrets, clock }, { maxBodyBytes: settings.maxRequestBytes, signatureTolerance: settings.signatureTolerance });
      return { feed, fanOut, api };
    },
    close: async () => {
      clearInterval(refresher);
      await store.close();
    },
  };
}
