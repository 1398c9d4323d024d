import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EmailChannel, EmailLinks, WarehouseRecommender, type EmailSite, type EmailTransport } from '../channels/email/index.js';
import { OutboxTransport } from '../channels/email/outbox/index.js';
import { SmtpTransport } from '../channels/email/smtp/index.js';
import { TemplateRenderer } from '../channels/templates/index.js';
import { TripwireError } from '../errors.js';
import type { Clock } from '../events/index.js';
import {
  DeliveryLog,
  MailerWorker,
  MemorySendLedger,
  Personaliser,
  type EmailJob,
  type EmailQueue,
  type SendLedger,
  type SuppressionList,
  type VisitorProfiles,
} from '../mailer/index.js';
import { MemoryJobQueue } from '../queue/index.js';
import { FileSuppressionList } from '../mailer/file/index.js';
import { RedisMailerStore } from '../mailer/redis/index.js';
import type { Logger } from '../observability/index.js';
import type { ProductCatalogue } from '../pipeline/index.js';
import type { EventSink, WarehouseBackend } from '../warehouse/index.js';
import type { TripwireConfig } from './schema.js';

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
  /** The window store the engine's pipeline writes profiles to: the worker reads consent there before each marketing send. */
  profiles: VisitorProfiles;
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
    ? await RedisMailerStore.connect(config.store.redisUrl, {
        prefix: config.store.prefix,
        cluster: config.store.redisCluster,
        clock,
        ledgerRetention: config.mailer.sentRetention,
        onError: (error) => logger.warn({ err: error }, 'mail queue Redis connection error; reconnecting'),
      })
    : undefined;
  const queue = redis?.queue ?? new MemoryJobQueue<EmailJob>({ clock });
  const ledger = redis?.ledger ?? new MemorySendLedger({ clock, retention: config.mailer.sentRetention });
  // Unsubscribes outlive a restart as the chdb rows do: in dataDir when there is no Redis.
  const suppressions: SuppressionList = redis?.suppressions ?? (await FileSuppressionList.open(join(config.dataDir, 'suppressions.ndjson')));
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
    { queue, ledger, suppressions, profiles: deps.profiles, sender: channel, personalise: (job) => personaliser.personalise(job), log, clock, logger },
    {
      retry: { attempts: config.mailer.attempts, baseDelay: config.mailer.retryDelay, maxDelay: config.mailer.maxRetryDelay },
      leaseMs: config.mailer.lease,
      reclaimAfterMs: config.mailer.reclaimAfter,
      pollIntervalMs: config.mailer.pollInterval,
      batch: config.mailer.batch,
      deadLetterRetentionMs: config.mailer.deadLetterRetention,
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
      if (queue instanceof MemoryJobQueue) warnDropped(queue.unfinished(DROPPED_IDS_LOGGED), logger);
      await transport.close();
      if (redis === undefined) await suppressions.close();
      await redis?.close();
    },
  };
}

/** Trigger ids named in the warning of a stop that drops emails; the count covers them all. */
const DROPPED_IDS_LOGGED = 20;

/** The in-process queue dies with the engine: what it still holds at a stop is never sent, and the operator is told which. */
function warnDropped(dropped: { count: number; ids: string[] }, logger: Logger): void {
  if (dropped.count === 0) return;
  logger.warn(
    { dropped: dropped.count, triggerIds: dropped.ids },
    `${dropped.count} queued email(s) dropped at stop, retries still waiting among them: the in-process queue does not outlive the engine (run it on Redis, REDIS_URL, to keep them)`,
  );
}

async function readDkimKey(site: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new TripwireError('TW_CONFIG_INVALID', `sites[${site}].dkim.privateKey: cannot read the key file ${path}: ${(cause as Error).message}`, { cause });
  }
}
