/*
 * Key layout (prefix as the window store's; site escaped as in visitor-keys.ts):
 *
 *   {prefix}:int:{site}:<product>:view   zset  visitor → time of their latest view of the product
 *   {prefix}:int:{site}:<product>:cart   zset  visitor → time they last added it to their cart
 *
 * A catalogue key is not a visitor's: the hash tag is the site, so one frame's updates (one
 * visitor, one site) run as one script in one slot. Each set is trimmed on write to maxAge
 * (ZREMRANGEBYSCORE) and maxVisitorsPerProduct (ZREMRANGEBYRANK, oldest first) and expires
 * after maxAge without writes.
 */
import type { VisitorRef } from '../../events/index.js';
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
import { runScript, type LuaScript } from './scripts.js';
import type { StoreClient } from './store-client.js';
import { siteTag } from './visitor-keys.js';

export interface RedisInterestIndexOptions {
  /** Shared with the RedisWindowStore, so a frame's interest updates leave in the same write as its apply. */
  client: StoreClient;
  prefix: string;
  script: LuaScript;
  bounds?: InterestBounds;
}

export class RedisInterestIndex implements InterestIndex {
  private readonly client: StoreClient;
  private readonly prefix: string;
  private readonly script: LuaScript;
  private readonly bounds: InterestBounds;

  constructor(options: RedisInterestIndexOptions) {
    this.client = options.client;
    this.prefix = options.prefix;
    this.script = options.script;
    this.bounds = options.bounds ?? DEFAULT_INTEREST_BOUNDS;
  }

  async record(visitor: VisitorRef, updates: readonly InterestUpdate[], now: number): Promise<void> {
    if (updates.length === 0) return;
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
    const args = [String(now), String(this.bounds.maxAge), String(this.bounds.maxVisitorsPerProduct), visitor.visitor, String(updates.length)];
    for (const update of updates) {
      const key = indexOf(this.key(visitor.site, update.product, update.interest));
      args.push(update.kind === 'note' ? 'n' : 'd', key, update.kind === 'note' ? String(update.at) : '0');
    }
    await runScript(this.client, this.script, keys, args);
  }

  async interested(query: InterestQuery): Promise<InterestedVisitor[]> {
    const ageLimit = query.now - this.bounds.maxAge;
    // Interests at or before now - maxAge are gone, as the writes trim them.
    const min = query.since > ageLimit ? String(query.since) : `(${ageLimit}`;
    const reply = replyArray(
      await this.client.sendCommand([
        'ZREVRANGEBYSCORE',
        this.key(query.site, query.product, query.interest),
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
      visitors.push({ visitor: replyString(flat[i], 'interest query'), at: replyNumber(flat[i + 1], 'interest query') });
    }
    return visitors;
  }

  async forget(site: string, product: string, interest: InterestKind, visitors: readonly string[]): Promise<void> {
    if (visitors.length === 0) return;
    await this.client.sendCommand(['ZREM', this.key(site, product, interest), ...visitors]);
  }

  private key(site: string, product: string, interest: InterestKind): string {
    return `${this.prefix}:int:${siteTag(site)}:${product}:${interest}`;
  }
}
