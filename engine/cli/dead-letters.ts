import type { TripwireConfig } from '../config/index.js';
import { TripwireError } from '../errors.js';
import type { JobQueue, QueuedJob } from '../queue/index.js';
import { UsageError } from './usage-error.js';

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

/** What one `dead-letters` command asks for. */
type DeadLetterAction =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'replay-all' }
  | { kind: 'replay'; id: string }
  | { kind: 'purge'; id: string }
  | { kind: 'purge-all' };

/** The queue a `dead-letters` command works on, opened only once its arguments are understood. */
export interface OpenedQueue<J extends QueuedJob> {
  queue: JobQueue<J>;
  close(): Promise<void>;
}

/**
 * `dead-letters` of one queue: the same for every queue (the JobQueue is generic), each queue
 * saying only what a line shows of its jobs. Arguments it does not take are a UsageError, found
 * before the queue is opened, so a typo is named without a reachable Redis. Returns the exit code.
 */
export async function runDeadLetters<J extends QueuedJob>(args: string[], command: DeadLetterCommand<J>, usage: string, open: () => Promise<OpenedQueue<J>>): Promise<number> {
  const action = parseDeadLetterArgs(args, command.name, usage);
  if (action.kind === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  const { queue, close } = await open();
  try {
    await act(queue, action, command);
  } finally {
    await close();
  }
  return 0;
}

function parseDeadLetterArgs(args: string[], name: string, usage: string): DeadLetterAction {
  const [flag, value, ...rest] = args;
  const misuse = (problem: string) => new UsageError(name, problem, usage);
  const listThem = `list them with \`${name}\``;
  if (rest.length > 0) throw misuse(`unexpected ${rest.join(' ')}: one action at a time`);
  if (flag === undefined) return { kind: 'list' };
  if (flag === '--help' || flag === '--all') {
    if (value !== undefined) throw misuse(`${flag} takes nothing after it, not ${value}`);
    return { kind: flag === '--help' ? 'help' : 'replay-all' };
  }
  if (flag === '--replay') {
    if (value === undefined) throw misuse(`--replay needs a trigger id; ${listThem}`);
    if (value.startsWith('--')) throw misuse(`--replay takes a trigger id, not ${value} (\`${name} --all\` replays every one)`);
    return { kind: 'replay', id: value };
  }
  if (flag === '--purge') {
    if (value === '--all') return { kind: 'purge-all' };
    if (value === undefined) throw misuse(`--purge needs a trigger id, or --all; ${listThem}`);
    if (value.startsWith('--')) throw misuse(`--purge takes a trigger id or --all, not ${value}`);
    return { kind: 'purge', id: value };
  }
  throw misuse(`unknown argument ${flag}`);
}

async function act<J extends QueuedJob>(queue: JobQueue<J>, action: Exclude<DeadLetterAction, { kind: 'help' }>, command: DeadLetterCommand<J>): Promise<void> {
  switch (action.kind) {
    case 'list': {
      for (const letter of await queue.deadLetters()) {
        const { job } = letter;
        const line = { id: job.id, ...command.describe(job), attempt: job.attempt, error: letter.error, at: new Date(letter.at).toISOString() };
        process.stdout.write(`${JSON.stringify(line)}\n`);
      }
      await warnUnreadable(queue, command.name);
      return;
    }
    case 'replay-all': {
      const letters = await queue.deadLetters();
      let replayed = 0;
      for (const letter of letters) if (await queue.replay(letter.job.id)) replayed++;
      const unreadable = await warnUnreadable(queue, command.name);
      process.stdout.write(`replayed ${replayed} of ${letters.length} dead letters${unreadable > 0 ? `; ${unreadable} could not be read` : ''}\n`);
      return;
    }
    case 'replay':
      if (!(await queue.replay(action.id))) throw notFound(action.id, command);
      process.stdout.write(`replayed ${action.id}\n`);
      return;
    case 'purge':
      if (!(await queue.discardDeadLetter(action.id))) throw notFound(action.id, command);
      process.stdout.write(`removed ${action.id}\n`);
      return;
    case 'purge-all':
      process.stdout.write(`removed ${await queue.purgeDeadLetters()} dead letters\n`);
      return;
  }
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
