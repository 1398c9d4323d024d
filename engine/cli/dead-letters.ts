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
 * know, with what was wrong and `usage` printed.
 */
export async function runDeadLetters<J extends QueuedJob>(queue: JobQueue<J>, args: string[], command: DeadLetterCommand<J>, usage: string): Promise<number> {
  const [flag, value, ...rest] = args;
  const misused = (problem: string): number => {
    process.stderr.write(`${command.name}: ${problem}\n\n${usage}`);
    return 2;
  };
  const listThem = `list them with \`${command.name}\``;
  if (rest.length > 0) return misused(`unexpected ${rest.join(' ')}: one action at a time`);
  if (flag === '--help') {
    process.stdout.write(usage);
    return 0;
  }
  if (flag === undefined) {
    for (const letter of await queue.deadLetters()) {
      const { job } = letter;
      const line = { id: job.id, ...command.describe(job), attempt: job.attempt, error: letter.error, at: new Date(letter.at).toISOString() };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
    await warnUnreadable(queue, command.name);
    return 0;
  }
  if (flag === '--all') {
    if (value !== undefined) return misused(`--all takes nothing after it, not ${value}`);
    const letters = await queue.deadLetters();
    let replayed = 0;
    for (const letter of letters) if (await queue.replay(letter.job.id)) replayed++;
    const unreadable = await warnUnreadable(queue, command.name);
    process.stdout.write(`replayed ${replayed} of ${letters.length} dead letters${unreadable > 0 ? `; ${unreadable} could not be read` : ''}\n`);
    return 0;
  }
  if (flag === '--replay') {
    if (value === undefined) return misused(`--replay needs a trigger id; ${listThem}`);
    if (value.startsWith('--')) return misused(`--replay takes a trigger id, not ${value} (\`${command.name} --all\` replays every one)`);
    if (!(await queue.replay(value))) throw notFound(value, command);
    process.stdout.write(`replayed ${value}\n`);
    return 0;
  }
  if (flag === '--purge') {
    if (value === '--all') {
      process.stdout.write(`removed ${await queue.purgeDeadLetters()} dead letters\n`);
      return 0;
    }
    if (value === undefined) return misused(`--purge needs a trigger id, or --all; ${listThem}`);
    if (value.startsWith('--')) return misused(`--purge takes a trigger id or --all, not ${value}`);
    if (!(await queue.discardDeadLetter(value))) throw notFound(value, command);
    process.stdout.write(`removed ${value}\n`);
    return 0;
  }
  return misused(`unknown argument ${flag}`);
}

/** Dead letters that cannot be read are named on stderr, so stdout stays one JSON dead letter a line. Returns how many. */
async function warnUnreadable(queue: JobQueue<QueuedJob>, name: string): Promise<number> {
  const ids = await queue.unreadableDeadLetters();
  for (const id of ids) {
    process.stderr.write(`${name}: dead letter "${id}" cannot be read (not JSON of a job, its error and time); remove it with \`${name} --purge ${id}\`\n`);
  }
  return ids.length;
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
