import { TripwireError } from '../../errors.js';
import { systemClock, type Clock } from '../../events/index.js';
import type { RedisConnection } from '../../redis/index.js';
import type { ClaimOptions, ClaimedJob, DeadLetter, JobQueue, QueueDepth, QueuedJob, ReclaimOptions } from '../index.js';
import { ACK, DEAD_LETTER, DEPTH, PROMOTE_DUE, PURGE_DEAD_LETTERS, REPLAY, RETRY_LATER, TRIM_DEAD_LETTERS } from './job-queue-scripts.js';

/** XAUTOCLAIM scans the pending list in pages; a bound keeps one reclaim call short. */
const MAX_RECLAIM_PAGES = 10;

/** Dead letters one trim step looks at: a few milliseconds of Redis, whatever the hash holds. */
const TRIM_STEP = 300;

/** How long a finished sweep of the dead letters stands for every engine's trims: the workers' trim interval. */
const SWEEP_PAUSE_MS = 60_000;

export interface RedisJobQueueOptions {
  client: RedisConnection;
  prefix: string;
  /** The queue's name in its keys: `{prefix}:<name>:jobs` (`mail`, `webhook`). */
  name: string;
  /** The stream's consumer group, which every worker of this queue reads through. */
  group: string;
  clock?: Clock;
}

/**
 * A queue on Redis Streams. Jobs are entries of `{prefix}:<name>:jobs` (`{prefix}:{<name>}:jobs`
 * on a Redis Cluster, and the same for the other two keys), read by one consumer group
 * (XREADGROUP), so each entry goes to one consumer and stays in the group's pending list until
 * XACK; a dead consumer's entries are taken over with XAUTOCLAIM. Retries wait in the zset
 * `{prefix}:<name>:delayed` scored by due time (the caller's clock) and are moved back onto the
 * stream by the next claim; dead letters sit in the hash `{prefix}:<name>:dead`, trimmed by a sweep
 * of it whose HSCAN cursor every engine shares in `{prefix}:<name>:dead-sweep` (one sweep a minute between them). Acked entries are
 * deleted, so the stream holds only live jobs.
 */
export class RedisJobQueue<J extends QueuedJob> implements JobQueue<J> {
  private readonly client: RedisConnection;
  private readonly clock: Clock;
  private readonly group: string;
  private readonly stream: string;
  private readonly delayed: string;
  private readonly dead: string;
  private readonly deadSweep: string;
  private ready: Promise<void> | undefined;

  constructor(options: RedisJobQueueOptions) {
    this.client = options.client;
    this.clock = options.clock ?? systemClock;
    this.group = options.group;
    // Scripts move jobs between the keys, so on a cluster they share a hash tag; on one node they
    // keep the names the mail queue was created under before clusters were supported.
    const base = options.client.cluster ? `${options.prefix}:{${options.name}}` : `${options.prefix}:${options.name}`;
    this.stream = `${base}:jobs`;
    this.delayed = `${base}:delayed`;
    this.dead = `${base}:dead`;
    this.deadSweep = `${base}:dead-sweep`;
  }

  async enqueue(job: J): Promise<void> {
    return this.reported('enqueue a job', async () => {
      await this.created();
      await this.client.send(this.stream, ['XADD', this.stream, '*', 'job', JSON.stringify(job)]);
    });
  }

  async claim(consumer: string, options: ClaimOptions): Promise<Array<ClaimedJob<J>>> {
    return this.reported('hand out jobs', async () => {
      if (options.max <= 0) return [];
      await this.created();
      await this.client.script(PROMOTE_DUE, [this.delayed, this.stream], [String(this.clock.now()), String(options.max)]);
      const reply = await this.withGroup(() =>
        this.client.send(this.stream, ['XREADGROUP', 'GROUP', this.group, consumer, 'COUNT', String(options.max), 'STREAMS', this.stream, '>']),
      );
      if (reply === null || reply === undefined) return [];
      // node-redis maps the per-stream reply to an object keyed by stream name; older clients return pairs.
      const entries = Array.isArray(reply)
        ? ((reply as unknown as Array<[string, unknown[]]>)[0]?.[1] ?? [])
        : ((reply as unknown as Record<string, unknown[]>)[this.stream] ?? []);
      return entriesOf<J>(entries, consumer);
    });
  }

  async reclaim(consumer: string, options: ReclaimOptions): Promise<Array<ClaimedJob<J>>> {
    return this.reported('take over the jobs of silent consumers', async () => {
      if (options.max <= 0) return [];
      await this.created();
      const taken: Array<ClaimedJob<J>> = [];
      let cursor = '0-0';
      for (let page = 0; page < MAX_RECLAIM_PAGES && taken.length < options.max; page++) {
        const from = cursor;
        const reply = (await this.withGroup(() =>
          this.client.send(this.stream, [
            'XAUTOCLAIM', this.stream, this.group, consumer, String(Math.max(0, Math.floor(options.idleMs))), from,
            'COUNT', String(options.max - taken.length),
          ]),
        )) as unknown as [string, unknown[], unknown[]?];
        taken.push(...entriesOf<J>(reply[1], consumer));
        cursor = reply[0];
        if (cursor === '0-0') break;
      }
      return taken;
    });
  }

  async ack(claimed: ClaimedJob<J>): Promise<void> {
    return this.reported('ack a job', async () => {
      await this.client.script(ACK, [this.stream], [this.group, claimed.receipt]);
    });
  }

  async retryLater(claimed: ClaimedJob<J>, next: J, dueAt: number): Promise<boolean> {
    return this.reported('put a job back for its retry', async () => {
      const moved = await this.client.script(RETRY_LATER, [this.stream, this.delayed], [this.group, claimed.receipt, String(dueAt), JSON.stringify(next)]);
      return Number(moved) === 1;
    });
  }

  async deadLetter(claimed: ClaimedJob<J>, error: string): Promise<boolean> {
    return this.reported('dead-letter a job', async () => {
      const letter: DeadLetter<J> = { job: claimed.job, error, at: this.clock.now() };
      const moved = await this.client.script(
        DEAD_LETTER,
        [this.stream, this.dead],
        [this.group, claimed.receipt, claimed.job.id, JSON.stringify(letter)],
      );
      return Number(moved) === 1;
    });
  }

  async deadLetters(): Promise<Array<DeadLetter<J>>> {
    return this.reported('read its dead letters', async () => {
      const all = await this.client.hGetAll(this.dead);
      return Object.values(all)
        .map((text) => deadLetterOf<J>(text))
        .filter((letter) => letter !== undefined)
        .sort((a, b) => a.at - b.at);
    });
  }

  async unreadableDeadLetters(): Promise<string[]> {
    return this.reported('read its dead letters', async () => {
      const all = await this.client.hGetAll(this.dead);
      return Object.keys(all).filter((id) => deadLetterOf(all[id]!) === undefined);
    });
  }

  async replay(id: string): Promise<boolean> {
    return this.reported('replay a dead letter', async () => {
      const text = await this.client.hGet(this.dead, id);
      if (text === null || text === undefined) return false;
      const letter = deadLetterOf<J>(text);
      if (letter === undefined) {
        throw new TripwireError('TW_DEAD_LETTER_UNREADABLE', `dead letter "${id}" in ${this.dead} cannot be read as a job, its error and time; it was not replayed`);
      }
      await this.created();
      const replayed = await this.client.script(REPLAY, [this.dead, this.stream], [id, JSON.stringify({ ...letter.job, attempt: 1 })]);
      return Number(replayed) === 1;
    });
  }

  async discardDeadLetter(id: string): Promise<boolean> {
    return this.reported('discard a dead letter', async () => Number(await this.client.send(this.dead, ['HDEL', this.dead, id])) === 1);
  }

  /** Steps of TRIM_STEP letters, one script each: Redis serves other clients between them. */
  async trimDeadLetters(before: number, max: number): Promise<number> {
    return this.reported('trim its dead letters', async () => {
      const most = Math.floor(max);
      let removed = 0;
      while (removed < most) {
        const [step, swept] = (await this.client.script(TRIM_DEAD_LETTERS, [this.dead, this.deadSweep], [String(before), String(most - removed), String(TRIM_STEP), String(SWEEP_PAUSE_MS)])) as [number, number];
        removed += Number(step);
        if (Number(swept) === 1) break;
      }
      return removed;
    });
  }

  async purgeDeadLetters(): Promise<number> {
    return this.reported('purge its dead letters', async () => Number(await this.client.script(PURGE_DEAD_LETTERS, [this.dead, this.deadSweep], [])));
  }

  /** One script, so a health check or a scrape costs one round trip, and the four counts are of one moment. */
  async depth(): Promise<QueueDepth> {
    return this.reported('count its jobs', async () => {
      const [ready, held, delayed, dead] = (await this.client.script(DEPTH, [this.stream, this.delayed, this.dead], [this.group])) as number[];
      return { ready: Number(ready), held: Number(held), delayed: Number(delayed), dead: Number(dead) };
    });
  }

  /** The client belongs to whoever passed it in. */
  async close(): Promise<void> {}

  /**
   * A failed command as the engine reports store failures: TW_STORE_UNAVAILABLE, naming the queue
   * and what it was doing (a raw client error may carry no message at all).
   */
  private async reported<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof TripwireError) throw error;
      const reason = error instanceof Error ? error.message || error.name : String(error);
      throw new TripwireError('TW_STORE_UNAVAILABLE', `the job queue ${this.stream} could not ${action}: ${reason}`, { cause: error });
    }
  }

  /**
   * Runs a command that needs the consumer group. When Redis has lost the queue's keys (a restart
   * without persistence, a failover, FLUSHALL), an enqueue makes the stream again without the
   * group, and every group command answers NOGROUP: the group is created again (from "0", so
   * the jobs enqueued since are read) and the command tried once more.
   */
  private async withGroup<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOGROUP'))) throw error;
      this.ready = undefined;
      await this.created();
      return command();
    }
  }

  /** Creates the stream and its group once per process, and again after Redis lost them; "0" lets a new group read jobs enqueued before it existed. */
  private created(): Promise<void> {
    this.ready ??= this.client.send(this.stream, ['XGROUP', 'CREATE', this.stream, this.group, '0', 'MKSTREAM']).then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof Error && error.message.startsWith('BUSYGROUP')) return;
        this.ready = undefined;
        throw new TripwireError('TW_STORE_UNAVAILABLE', `cannot create the job queue ${this.stream}: ${String(error)}`, { cause: error });
      },
    );
    return this.ready;
  }
}

/** A dead letter as deadLetter writes it, or undefined for text that is not one (written by hand, damaged). */
function deadLetterOf<J extends QueuedJob>(text: string): DeadLetter<J> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { job, error, at } = value as Partial<DeadLetter<J>>;
  if (typeof job !== 'object' || job === null || typeof job.id !== 'string' || typeof error !== 'string' || typeof at !== 'number') return undefined;
  return value as DeadLetter<J>;
}

/** Stream entries as [id, [field, value, …]]; entries deleted since they were read come back as null. */
function entriesOf<J extends QueuedJob>(entries: unknown[], consumer: string): Array<ClaimedJob<J>> {
  const claimed: Array<ClaimedJob<J>> = [];
  for (const entry of entries) {
    if (!Array.isArray(entry)) continue;
    const [receipt, fields] = entry as [string, string[] | null];
    if (fields === null) continue;
    const index = fields.indexOf('job');
    const text = index >= 0 ? fields[index + 1] : undefined;
    if (text === undefined) continue;
    claimed.push({ job: JSON.parse(text) as J, receipt, consumer });
  }
  return claimed;
}
