import type { WebhookJob } from '../channels/webhook/index.js';
import { redisWebhookQueue } from '../channels/webhook/redis/index.js';
import { loadConfig } from '../config/index.js';
import { connectRedis } from '../redis/index.js';
import { DEAD_LETTER_USAGE, requireQueueRedis, runDeadLetters, type DeadLetterCommand } from './dead-letters.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage: tripwire webhooks <command>

${DEAD_LETTER_USAGE}
                                         (webhooks refused or out of tries; needs REDIS_URL)

A replayed webhook is posted by the next engine to look at the queue (within webhooks.pollInterval).
`;

const DEAD_LETTERS: DeadLetterCommand<WebhookJob> = {
  name: 'tripwire webhooks dead-letters',
  describe: (job) => ({ site: job.site, scenario: job.scenario, url: job.url }),
};

export async function runWebhooks(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === '--help') {
    if (rest.length > 0) throw new UsageError('tripwire webhooks', `unexpected ${rest.join(' ')} after --help`, USAGE);
    process.stdout.write(USAGE);
    return 0;
  }
  if (command !== 'dead-letters') throw new UsageError('tripwire webhooks', command === undefined ? 'which command?' : `unknown command ${command}`, USAGE);
  return runDeadLetters(rest, DEAD_LETTERS, USAGE, async () => {
    const config = await loadConfig();
    const client = await connectRedis(requireQueueRedis(config, `tripwire webhooks ${command}`, 'webhook'), {
      purpose: 'The webhook queue',
      cluster: config.store.redisCluster,
    });
    return { queue: redisWebhookQueue(client, config.store.prefix), close: () => client.close() };
  });
}
