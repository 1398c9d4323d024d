import type { TripwireConfig } from '../config/index.js';
import { TripwireError } from '../errors.js';
import type { JobQueue, QueuedJob } from '../queue/index.js';

/** The dead-letter commands as `--help` lists them, under the command that reaches one queue. */
export const DEAD_LETTER_USAGE = `  dead-letters                           list the dead letters, one JSON line each
  dead-letters --replay <trigger-id>     queue one again as a first try
  dead-letters --all                     queue every one again
  dead-letters --purge <trigger-id>      remove one without replaying it
  dead-letters --purge --all             remove every one (the workers remove them after the retention anyway)`;

export interface DeadLetterCommand<J extends QueuedJob> {
  /** How the operator typed it, for messages: "tripwire webhooks dead-letters". */
  name: string;
  /** What a line shows of the job besides its id and attempt: the recipient, the receiver. */
  describe(job: J): Record<string, unknown>;
}

/**
 * `dead-letters` of one queue: the same for every queue (the JobQueue is generic), each queue
 * saying only what a line shows of its jobs. Returns the exit code; 2 for arguments it does not
 * know, with `usage` printed.
 */
export async function runDeadLetters<J extends QueuedJob>(queue: JobQueue<J>, args: string[], command: DeadLetterCommand<J>, usage: string): Promise<number> {
  const [flag, value, ...rest] = args;
  if (rest.length > 0) return misused(usage);
  if (flag === undefined) {
    for (const letter of await queue.deadLetters()) {
      const { job } = letter;
      const line = { id: job.id, ...command.describe(job), attempt: job.attempt, error: letter.error, at: new Date(letter.at).toISOString() };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
    return 0;
  }
  if (flag === '--all' && value === undefined) {
    const letters = await queue.deadLetters();
    let replayed = 0;
    for (const letter of letters) if (await queue.replay(letter.job.id)) replayed++;
    process.stdout.write(`replayed ${replayed} of ${letters.length} dead letters\n`);
    return 0;
  }
  if (flag === '--replay' && value !== undefined) {
    if (!(await queue.replay(value))) throw notFound(value, command);
    process.stdout.write(`replayed ${value}\n`);
    return 0;
  }
  if (flag === '--purge' && value === '--all') {
    process.stdout.write(`removed ${await queue.purgeDeadLetters()} dead letters\n`);
    return 0;
  }
  if (flag === '--purge' && value !== undefined) {
    if (!(await queue.discardDeadLetter(value))) throw notFound(value, command);
    process.stdout.write(`removed ${value}\n`);
    return 0;
  }
  return misused(usage);
}

/**
 * The URL of the Redis a queue's command reaches: in process, the queue lives inside the engine
 * and no other process can read it.
 */
export function requireQueueRedis(config: TripwireConfig, command: string, queue: string): string {
  if (config.store.redisUrl) return config.store.redisUrl;
  throw new TripwireError(
    'TW_CONFIG_INVALID',
    `${command} needs the ${queue} queue on Redis: set REDIS_URL (the same as the engine's). Without Redis the queue lives inside the engine process: the engine's own worker works it, and no other process can reach it.`,
  );
}

function notFound(id: string, command: DeadLetterCommand<QueuedJob>): TripwireError {
  return new TripwireError('TW_NOT_FOUND', `no dead letter "${id}": list them with \`${command.name}\``);
}

function misused(usage: string): number {
  process.stderr.write(usage);
  return 2;
}
