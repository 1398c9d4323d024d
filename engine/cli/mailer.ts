import { join } from 'node:path';
import { composeMailer, projectRoot } from '../config/compose.js';
import { loadConfig, type TripwireConfig } from '../config/index.js';
import { loadCatalogue } from '../demo-shop/index.js';
import { systemClock } from '../events/index.js';
import { SUPPRESSION_REASONS, type EmailJob, type SuppressionList, type SuppressionReason } from '../mailer/index.js';
import { RedisMailerStore } from '../mailer/redis/index.js';
import { createLogger } from '../observability/index.js';
import { RedisWindowStore } from '../state/redis/index.js';
import { BatchingSink, type WarehouseBackend } from '../warehouse/index.js';
import { ChdbWarehouse } from '../warehouse/chdb/index.js';
import { ServerWarehouse } from '../warehouse/server/index.js';
import { DEAD_LETTER_USAGE, requireQueueRedis, runDeadLetters, type DeadLetterCommand } from './dead-letters.js';
import { openSuppressions } from './open-suppressions.js';
import { UsageError, parseCommandArgs } from './usage-error.js';

const USAGE = `usage: tripwire mailer [command]

  (none)                                 run a mailer worker until SIGINT/SIGTERM (needs REDIS_URL)
${DEAD_LETTER_USAGE}
                                         (emails that used up their tries; needs REDIS_URL)
  suppressions <site>                    list the site's suppressed addresses
  suppress <site> <email> [--reason unsubscribe|bounce|complaint]
  unsuppress <site> <email>

The suppression commands work on the engine's list: on Redis with REDIS_URL, else
<dataDir>/suppressions.ndjson (a running engine takes in the change before its next send).
`;

const DEAD_LETTERS: DeadLetterCommand<EmailJob> = {
  name: 'tripwire mailer dead-letters',
  describe: (job) => ({ site: job.site, scenario: job.scenario, to: job.request.to }),
};

export async function runMailer(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined) return runWorker(await loadConfig());
  if (command === '--help') {
    if (rest.length > 0) throw new UsageError('tripwire mailer', `unexpected ${rest.join(' ')} after --help`, USAGE);
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === 'dead-letters') {
    return runDeadLetters(rest, DEAD_LETTERS, USAGE, async () => {
      const config = await loadConfig();
      const store = await RedisMailerStore.connect(requireQueueRedis(config, `tripwire mailer ${command}`, 'mail'), { prefix: config.store.prefix, cluster: config.store.redisCluster });
      return { queue: store.queue, close: () => store.close() };
    });
  }
  const parse = SUPPRESSION_COMMANDS.get(command);
  if (parse === undefined) throw new UsageError('tripwire mailer', `unknown command ${command}`, USAGE);
  // The arguments first: a typo is named before the list is opened, and never changes it.
  const change = parse(rest);
  const suppressions = await openSuppressions(await loadConfig());
  try {
    return await change(suppressions.list);
  } finally {
    await suppressions.close();
  }
}

/**
 * A worker in its own process, so email scales apart from ingestion. It shares the queue,
 * the send ledger and the suppression list with the engine through Redis; with the
 * in-process store there is nothing to share, and the engine's own worker does the sending.
 */
async function runWorker(config: TripwireConfig): Promise<number> {
  const redisUrl = requireQueueRedis(config, 'tripwire mailer', 'mail');
  const logger = createLogger(config.log.level);
  // The engines' visitor profiles: a marketing email is sent only if the visitor still consents.
  const profiles = await RedisWindowStore.connect(redisUrl, {
    prefix: config.store.prefix,
    retention: { profileTtl: config.store.profileTtl, dedupeHorizon: config.store.dedupeHorizon },
    cluster: config.store.redisCluster,
  });
  const warehouse: WarehouseBackend = config.warehouse.clickhouseUrl
    ? await ServerWarehouse.connect(config.warehouse.clickhouseUrl, { database: config.warehouse.database })
    : await ChdbWarehouse.open(join(config.dataDir, 'chdb'), { database: config.warehouse.database });
  await warehouse.migrate();
  if (warehouse instanceof ServerWarehouse && warehouse.processesRefused !== undefined) {
    logger.warn(
      { reason: warehouse.processesRefused },
      'ClickHouse does not let this user list its running queries (system.processes): a replay cannot wait for an earlier insert still running on the server, whose rows may then be stored twice. Grant the user SELECT on system.processes.',
    );
  }
  const sink = new BatchingSink(warehouse, {
    batchSize: config.warehouse.batchSize,
    flushIntervalMs: config.warehouse.flushInterval,
    onError: (error) => logger.error({ err: error }, 'warehouse insert failed; rows are kept and retried'),
  });
  const catalogue = config.demo.enabled ? await loadCatalogue(join(projectRoot(), config.demo.catalogue)) : undefined;
  const baseUrl = config.server.publicUrl ?? `http://localhost:${config.server.port}`;
  const mailer = await composeMailer(config, { clock: systemClock, logger, warehouse, sink, catalogue, profiles, baseUrl: () => baseUrl });
  mailer.worker.start();
  logger.info({ consumer: mailer.worker.consumer }, 'mailer worker started');
  process.stdout.write(`mailer ${mailer.worker.consumer} is sending from the queue on Redis\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await mailer.close();
  await profiles.close();
  await sink.close();
  await warehouse.close();
  return 0;
}

/** A suppression command, its arguments understood: what it does to the list. */
type SuppressionChange = (list: SuppressionList) => Promise<number>;

const SUPPRESSION_COMMANDS = new Map<string, (args: string[]) => SuppressionChange>([
  ['suppressions', listSuppressions],
  ['suppress', suppress],
  ['unsuppress', unsuppress],
]);

function listSuppressions(args: string[]): SuppressionChange {
  const [site] = parseCommandArgs('tripwire mailer suppressions', USAGE, args, {}, 1).positionals;
  if (site === undefined) throw new UsageError('tripwire mailer suppressions', 'needs a site key', USAGE);
  return async (list) => {
    for (const entry of await list.list(site)) {
      process.stdout.write(`${JSON.stringify({ ...entry, at: new Date(entry.at).toISOString() })}\n`);
    }
    return 0;
  };
}

function suppress(args: string[]): SuppressionChange {
  const { positionals, values } = parseCommandArgs('tripwire mailer suppress', USAGE, args, { reason: { type: 'string', default: 'unsubscribe' } }, 2);
  const [site, email] = positionals;
  if (site === undefined || email === undefined) throw new UsageError('tripwire mailer suppress', 'needs a site key and an email address', USAGE);
  const reason = values.reason as SuppressionReason;
  if (!SUPPRESSION_REASONS.includes(reason)) throw new UsageError('tripwire mailer suppress', `--reason is one of ${SUPPRESSION_REASONS.join(', ')}, not ${reason}`, USAGE);
  return async (list) => {
    await list.add({ site, email, reason, at: Date.now(), detail: 'operator' });
    process.stdout.write(`suppressed ${email} for ${site} (${reason})\n`);
    return 0;
  };
}

function unsuppress(args: string[]): SuppressionChange {
  const [site, email] = parseCommandArgs('tripwire mailer unsuppress', USAGE, args, {}, 2).positionals;
  if (site === undefined || email === undefined) throw new UsageError('tripwire mailer unsuppress', 'needs a site key and an email address', USAGE);
  return async (list) => {
    const removed = await list.remove(site, email);
    process.stdout.write(removed ? `${email} may be emailed by ${site} again\n` : `${email} was not suppressed for ${site}\n`);
    return 0;
  };
}
