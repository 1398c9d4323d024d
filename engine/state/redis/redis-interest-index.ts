/*
 * Key layout (prefix as the window store's; site escaped as in visitor-keys.ts):
 *
 *   {prefix}:int:{site}:<product>:view   zset  visitor → time of their latest view of the product
 *   {prefix}:int:{site}:<product>:cart   zset  visitor → time they last added it to their cart
 *
 * A catalogue key is not a visitor's: the hash tag is the site. Each set is trimmed on write to
 * maxAge (ZREMRANGEBYSCORE) and, when the write added a visitor, to maxVisitorsPerProduct
 * (ZREMRANGEBYRANK, oldest first), and expires after maxAge without writes.
 *
 * The records of one event-loop turn (all visitors, all sites) go as ONE script call
 * (turn-batch.ts), hence across hash slots; on a Redis Cluster each record goes as a call of its
 * own, answered when its node answers. A failed call rejects every record it carried; recording
 * is idempotent (a note keeps the latest time, a drop removes), so the frames' resends are safe
 * whatever part of it ran.
 */
import type { VisitorRef } from '../../events/index.js';
import type { LuaScript, RedisConnection } from '../../redis/index.js';
import {
  DEFAULT_INTEREST_BOUNDS,
  type InterestBounds,
  type InterestIndex,
  type InterestKind,
  type InterestQuery,
  type InterestUpdate,
  type InterestedVisitor,
} from '../interest-index.js';
import { replyArray, replyNumber, replyString } from './replies.js';
import { DEFAULT_TURN_BATCH_LIMITS, TurnBatch, type ItemOutcome, type TurnBatchLimits } from './turn-batch.js';
import { siteTag } from './visitor-keys.js';

export interface RedisInterestIndexOptions {
  /** Shared with the RedisWindowStore, so a frame's interest updates leave in the same write as its apply. */
  client: RedisConnection;
  prefix: string;
  script: LuaScript;
  bounds?: InterestBounds;
  /** How many records (and script arguments) one call may carry; default 256 records, 16k arguments. */
  batch?: TurnBatchLimits;
}

/** One visitor's updates, as interest.lua reads them: key indexes relative to the record's first key. */
interface RecordCall {
  keys: string[];
  args: string[];
}

export class RedisInterestIndex implements InterestIndex {
  private readonly client: RedisConnection;
  private readonly prefix: string;
  private readonly script: LuaScript;
  private readonly bounds: InterestBounds;
  private readonly records: TurnBatch<RecordCall, undefined>;

  constructor(options: RedisInterestIndexOptions) {
    this.client = options.client;
    this.prefix = options.prefix;
    this.script = options.script;
    this.bounds = options.bounds ?? DEFAULT_INTEREST_BOUNDS;
    this.records = new TurnBatch((calls) => this.recordBatch(calls), options.batch ?? DEFAULT_TURN_BATCH_LIMITS);
  }

  record(visitor: VisitorRef, updates: readonly InterestUpdate[], now: number): Promise<void> {
    if (updates.length === 0) return Promise.resolve();
    const keys: string[] = [];
    const keyIndex = new Map<string, string>();
    const indexOf = (key: string): string => {
      let index = keyIndex.get(key);
      if (index === undefined) {
        keys.push(key);
        index = String(keys.length);
        keyIndex.set(key, index);
      }
      return index;
    };
    const args = [String(now), visitor.visitor, String(updates.length)];
    for (const update of updates) {
      const key = indexOf(this.key(visitor.site, update.product, update.interest));
      args.push(update.kind === 'note' ? 'n' : 'd', key, update.kind === 'note' ? String(update.at) : '0');
    }
    // On a cluster a record's keys share its site's slot, and it goes alone (see the key layout).
    return this.client.cluster ? this.sendRecords([{ keys, args }]) : this.records.submit({ keys, args }, keys.length + args.length + 2);
  }

  /** Sends the records queued this turn now (the store calls it before its other commands). */
  sendPending(): void {
    this.records.flush();
  }

  private async recordBatch(calls: RecordCall[]): Promise<Array<ItemOutcome<undefined>>> {
    await this.sendRecords(calls);
    return calls.map(() => ({ ok: true, value: undefined }));
  }

  /** One interest.lua call carrying `calls`. */
  private async sendRecords(calls: readonly RecordCall[]): Promise<void> {
    const keys: string[] = [];
    const args = [String(this.bounds.maxAge), String(this.bounds.maxVisitorsPerProduct), String(calls.length)];
    for (const call of calls) {
      keys.push(...call.keys);
      args.push(String(call.keys.length), String(call.args.length), ...call.args);
    }
    await this.client.script(this.script, keys, args);
  }

  async interested(query: InterestQuery): Promise<InterestedVisitor[]> {
    this.sendPending();
    const ageLimit = query.now - this.bounds.maxAge;
    // Interests at or before now - maxAge are gone, as the writes trim them.
    const min = query.since > ageLimit ? String(query.since) : `(${ageLimit}`;
    const key = this.key(query.site, query.product, query.interest);
    const reply = replyArray(
      await this.client.send(key, [
        'ZREVRANGEBYSCORE',
        key,
        '+inf',
        min,
        'WITHSCORES',
        'LIMIT',
        '0',
        String(this.bounds.maxVisitorsPerProduct),
      ]),
      'interest query',
    );
    // RESP3 answers WITHSCORES as [member, score] pairs, RESP2 as one flat list.
    const flat = reply.flatMap((entry) => (Array.isArray(entry) ? entry : [entry]));
    const visitors: InterestedVisitor[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const visitor = replyString(flat[i], 'interest query');
      // The empty member is kept-keys.lua's placeholder, not a visitor.
      if (visitor !== '') visitors.push({ visitor, at: replyNumber(flat[i + 1], 'interest query') });
    }
    return visitors;
  }

  async forget(site: string, product: string, interest: InterestKind, visitors: readonly string[]): Promise<void> {
    if (visitors.length === 0) return;
    this.sendPending();
    const key = this.key(site, product, interest);
    await this.client.send(key, ['ZREM', key, ...visitors]);
  }

  private key(site: string, product: string, interest: InterestKind): string {
    return `${this.prefix}:int:${siteTag(site)}:${product}:${interest}`;
  }
}
