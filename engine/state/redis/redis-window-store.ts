/*
 * Key layout (prefix defaults to "tw"; site and visitor escaped as in visitor-keys.ts):
 *
 *   {prefix}:{site:visitor}:seen       zset  event id → arrival time; trimmed to the dedupe horizon
 *   {prefix}:{site:visitor}:w:<key>    zset  sliding window or cap: member → time; PEXPIRE ≥ its longest span
 *   {prefix}:{site:visitor}:g:<key>    string gate: the time it opens again; PX = its ttl
 *   {prefix}:{site:visitor}:profile    hash  PEXPIRE profileTtl, refreshed on write
 *   {prefix}:{site:visitor}:cart       hash  same
 *   {prefix}:{site:visitor}:timers     zset  timer → due
 *   {prefix}:{site:visitor}:tpay       hash  timer → payload
 *   {prefix}:{due}                     zset  site:visitor → a score ≤ that visitor's earliest due
 *   {prefix}:{due}:leases              zset  site:visitor → lease end, while a taker works on it
 *
 * Every script touches one hash tag only: a visitor's keys, or the two due-index keys. apply is
 * one round trip: the apply script and the due-index ZADD LT are pipelined on one connection,
 * which also orders them (timer first, index entry second). On Redis Cluster the two go to
 * different nodes and lose that ordering; a cluster version must send the ZADD after the
 * script's reply, costing a second round trip for frames that arm timers.
 *
 * Times are the caller's (request.now, op.at): scores and gate values compare against them, so
 * virtual time works. TTLs run on the server's clock and only bound memory.
 */
import type { VisitorRef } from '../../events/index.js';
import {
  DEFAULT_RETENTION,
  type ApplyRequest,
  type ApplyResult,
  type ClaimRequest,
  type ClaimOutcome,
  type DueTimer,
  type RetentionPolicy,
  type VisitorSnapshot,
  type WindowStore,
} from '../window-store.js';
import type { InterestBounds } from '../interest-index.js';
import { decodeApply, encodeApply } from './apply-frame.js';
import { decodeClaims, encodeClaims } from './claim-frame.js';
import { connectStoreClient, type ConnectedClient } from './connect.js';
import { DueTimers } from './due-timers.js';
import { RedisInterestIndex } from './redis-interest-index.js';
import { evalSha, evalSource, isNoScript, loadStoreScripts, runScript, type StoreScripts } from './scripts.js';
import type { StoreClient } from './store-client.js';
import { VisitorKeys, checkedPrefix } from './visitor-keys.js';

export interface RedisWindowStoreOptions {
  /** Created and connected by the caller, who also closes it. */
  client: StoreClient;
  /** Namespace of every key; default "tw". Several stores (tests, tenants) can share one Redis. */
  prefix?: string;
  retention?: RetentionPolicy;
}

export interface RedisConnectOptions {
  prefix?: string;
  retention?: RetentionPolicy;
  /** How long to wait for Redis at startup before failing; default 5000 ms. */
  connectTimeoutMs?: number;
}

export class RedisWindowStore implements WindowStore {
  /** Creates and connects the client; the store then owns it and closes it on close(). */
  static async connect(url: string, options: RedisConnectOptions = {}): Promise<RedisWindowStore> {
    const connection = await connectStoreClient(url, options.connectTimeoutMs ?? 5000);
    const store = new RedisWindowStore({ ...options, client: connection.client });
    store.connection = connection;
    return store;
  }

  private readonly client: StoreClient;
  private readonly prefix: string;
  private readonly retention: RetentionPolicy;
  private readonly scripts: StoreScripts;
  private readonly dueTimers: DueTimers;
  private connection: ConnectedClient | undefined;

  constructor(options: RedisWindowStoreOptions) {
    this.client = options.client;
    this.prefix = checkedPrefix(options.prefix ?? 'tw');
    this.retention = options.retention ?? DEFAULT_RETENTION;
    this.scripts = loadStoreScripts();
    this.dueTimers = new DueTimers(this.client, this.scripts, this.prefix);
  }

  /** The last error the client reported, when the store created it (see connect()); for health checks. */
  get lastClientError(): Error | undefined {
    return this.connection?.lastError;
  }

  async apply(request: ApplyRequest): Promise<ApplyResult> {
    const call = encodeApply(request, this.keysOf(request.visitor), this.retention);
    const offer = (): Promise<unknown> =>
      call.earliestArm === undefined ? Promise.resolve() : this.dueTimers.offer(request.visitor, call.earliestArm);
    // Both are written in the same tick, hence in one write on one connection: one round trip.
    const [script, offered] = await Promise.allSettled([
      evalSha(this.client, this.scripts.apply, call.keys, call.args),
      offer(),
    ]);
    let reply: unknown;
    if (script.status === 'fulfilled') {
      reply = script.value;
    } else {
      if (!isNoScript(script.reason)) throw script.reason;
      reply = await evalSource(this.client, this.scripts.apply, call.keys, call.args);
      // The offer ran before the timer existed; offering again after keeps the index ordering.
      await offer();
    }
    // A failed offer leaves an armed timer unindexed: the caller must resend the frame, whose
    // replay is deduplicated but offers again.
    if (offered.status === 'rejected') throw offered.reason;
    return decodeApply(request, reply);
  }

  async claim(request: ClaimRequest): Promise<ClaimOutcome[]> {
    if (request.claims.length === 0) return [];
    const call = encodeClaims(request, this.keysOf(request.visitor));
    return decodeClaims(await runScript(this.client, this.scripts.claim, call.keys, call.args));
  }

  async takeDueTimers(now: number, limit: number): Promise<DueTimer[]> {
    if (limit <= 0) return [];
    return this.dueTimers.take(now, limit);
  }

  async snapshot(visitor: VisitorRef): Promise<VisitorSnapshot> {
    const keys = this.keysOf(visitor);
    const [profile, cart] = await Promise.all([this.client.hGetAll(keys.profile), this.client.hGetAll(keys.cart)]);
    return { profile: { ...profile }, cart: { ...cart } };
  }

  /**
   * The catalogue's interest index on this store's connection: a frame's interest updates,
   * recorded in the same tick as its apply, leave in the same write (no extra round trip).
   */
  interestIndex(bounds?: InterestBounds): RedisInterestIndex {
    return new RedisInterestIndex({ client: this.client, prefix: this.prefix, script: this.scripts.interest, ...(bounds === undefined ? {} : { bounds }) });
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection !== undefined) await connection.client.close();
  }

  private keysOf(visitor: VisitorRef): VisitorKeys {
    return new VisitorKeys(this.prefix, visitor);
  }
}
