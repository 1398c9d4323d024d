/*
 * Key layout (prefix defaults to "tw"; site and visitor escaped as in visitor-keys.ts). Names
 * are short because each is stored once per visitor and key (bench/redis-memory.ts measures it).
 *
 *   {prefix}:{site:visitor}:e          zset  seen event ids (ids over 11 chars as an 11-char hash,
 *                                            seen-id.ts) → arrival time; trimmed to the dedupe horizon
 *                                            on ~1 frame in 8 (apply.lua reads an old id's time)
 *   {prefix}:{site:visitor}:w          zset  every window and cap of the visitor, scores all 0, in
 *                                            text order; entry `<window id><time><member>`
 *                                            (window-entries.ts): 8-char hash of the core's
 *                                            relative key, 7-char base-64 time in ASCII order,
 *                                            member (over 11 chars as an 11-char hash). PEXPIRE ≥
 *                                            the longest span any of its windows needs
 *   {prefix}:{site:visitor}:g          hash  gate (short name, KeyNames) → the time it opens again;
 *                                            PEXPIRE = the longest gate's ttl; open gates removed on write
 *   {prefix}:{site:visitor}:p          hash  profile and cart: profile fields as they are, cart
 *                                            fields behind byte 0x01 (visitor-hash.ts); PEXPIRE
 *                                            profileTtl, refreshed on a write of either
 *   {prefix}:{site:visitor}:t          hash  timer → "<due> <payload>" (timer names as the core gave them)
 *   {prefix}:{due}                     zset  site:visitor → a score ≤ that visitor's earliest due
 *   {prefix}:{due}:leases              zset  site:visitor → lease end, while a taker works on it
 *
 * Windows: one sorted set for all of them saves a key (~70 B of dict and expiry entries) and a
 * set header per window (bench/redis-memory.ts, whole pack: 3.1 KB -> 2.2 KB per visitor); with
 * entries under 64 bytes it stays a compact listpack up to 128 entries. Redis still trims and
 * counts in place: a window's entries within a time range are one text range (ZREMRANGEBYLEX,
 * ZLEXCOUNT). Re-adding a member must move it (distinct windows rely on it), so an add reads its
 * window's entries to find the member's old one, linear in the window's size (~0.3 µs of Redis
 * CPU per entry), except when the member is the adding event's own id, which cannot be there yet
 * (apply-frame.ts): count and sequence windows, the ones that grow with traffic, add in
 * O(log n). A window that is never written again is not trimmed: its entries stay until the set
 * expires, bounded by its TTL, and fall out of every count's time range meanwhile (counts are by
 * time, never by what the set holds). Windows of the layout before this one (`w:<key>` sets) are
 * not read; they expire. (Folding windows into one hash of Lua-rewritten blobs met the memory
 * target but cut throughput 5×, bench/README.md.)
 *
 * Profile and cart: one hash saves a key per visitor (~150 B: key name, dict and expiry entries,
 * a listpack header). Each op names its own field, so Redis still updates either in place;
 * clearing one of them scans the hash's handful of fields, and the apply reply leaves the cart
 * out in Lua. The separate cart hash (`c`) of the layout before this release is not read nor
 * migrated: the layout changed in this release already (windows above).
 *
 * Applies are coalesced per event-loop turn (turn-batch.ts): the frames of all visitors applied
 * during one turn go as ONE apply script call, and the due-index offers of that batch as ONE
 * `ZADD LT`, pipelined right after it on the same connection, which also orders them (timers
 * first, index entries second). That script touches the keys of many visitors, hence many hash
 * slots. On a Redis Cluster the frames of a run are gathered per node instead, as the client
 * last learnt which node serves which slot: one apply call per node, declaring no keys (a
 * script may declare one slot's keys only, but reach any key its node serves), answered when
 * that node answers, and each frame's ZADD once that reply is in, since the index lives on
 * another node: frames that arm timers wait a second round trip there. A frame whose keys the
 * node no longer serves (its slot moved, or is moving) fails before it writes (apply.lua) and
 * goes again as a call of its own, routed by its declared keys, which follows the move. The
 * other scripts touch one hash tag only: a visitor's keys, or the two due-index keys. On a
 * cluster the scripts load with KEEP_KEYS: a key a script may empty and touch again keeps a
 * placeholder (the empty field or member) until the script ends, because the node a slot is
 * leaving fails a script's command on a key that has gone (kept-keys.lua).
 *
 * Failure semantics of a batch: the script runs each frame under pcall, so a frame that fails
 * (a key of the wrong type, say) rejects alone and keeps the writes made before its error, as a
 * single-frame call always did; the frames before and after it are applied and resolve. When
 * the call fails as a whole (connection lost, Redis refusing the script), every frame of the
 * batch rejects; their clients resend them. A resent frame is safe whatever the failed call did:
 * an event whose id reached `seen` is skipped (reported duplicate, so a window count it would
 * have fired on is not reported twice, nor again), and an event whose id did not was not applied.
 * An event is marked seen before its ops run, so a frame failing mid-event leaves that event's
 * earlier ops applied and the event seen: a resend does not complete it. That was already true
 * of one frame per call; a whole-call failure after Redis ran the script (the reply lost) now
 * turns every frame of the batch into duplicates on resend instead of one. The due-index ZADD
 * failing rejects only the frames that armed timers: their resend is deduplicated but offers
 * again.
 *
 * Times are the caller's (request.now, op.at): scores and gate values compare against them, so
 * virtual time works. TTLs run on the server's clock and only bound memory.
 */
import type { VisitorRef } from '../../events/index.js';
import type { RedisConnection } from '../../redis/index.js';
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
import { applySize, decodeApplyBatch, encodeApply, encodeApplyBatch, encodeNodeBatch, turnedAway, type ApplyCall } from './apply-frame.js';
import { decodeClaims, encodeClaims } from './claim-frame.js';
import { connectStoreClient, type ConnectedClient } from './connect.js';
import { DueTimers } from './due-timers.js';
import { RedisInterestIndex } from './redis-interest-index.js';
import { loadStoreScripts, type StoreScripts } from './scripts.js';
import { DEFAULT_TURN_BATCH_LIMITS, TurnBatch, type ItemOutcome, type TurnBatchLimits } from './turn-batch.js';
import { storeFailure } from './replies.js';
import { snapshotOfHash } from './visitor-hash.js';
import { KeyNames, VisitorKeys, checkedPrefix, dueMember } from './visitor-keys.js';

export interface RedisWindowStoreOptions {
  /** Created and connected by the caller, who also closes it. */
  client: RedisConnection;
  /** Namespace of every key; default "tw". Several stores (tests, tenants) can share one Redis. */
  prefix?: string;
  retention?: RetentionPolicy;
  /** How many frames (and script arguments) one apply call may carry; default 256 frames, 16k arguments. */
  batch?: TurnBatchLimits;
}

export interface RedisWindowStoreConnectOptions {
  prefix?: string;
  /** The URL is one node of a Redis Cluster. */
  cluster?: boolean;
  retention?: RetentionPolicy;
  /** How long to wait for Redis at startup before failing; default 5000 ms. */
  connectTimeoutMs?: number;
}

export class RedisWindowStore implements WindowStore {
  /** Creates and connects the client; the store then owns it and closes it on close(). */
  static async connect(url: string, options: RedisWindowStoreConnectOptions = {}): Promise<RedisWindowStore> {
    const connection = await connectStoreClient(url, options.connectTimeoutMs, options.cluster);
    const store = new RedisWindowStore({ ...options, client: connection.client });
    store.connection = connection;
    return store;
  }

  private readonly client: RedisConnection;
  private readonly prefix: string;
  private readonly retention: RetentionPolicy;
  private readonly scripts: StoreScripts;
  private readonly dueTimers: DueTimers;
  private readonly names = new KeyNames();
  private readonly applies: TurnBatch<ApplyCall, ApplyResult>;
  private readonly batchLimits: TurnBatchLimits;
  /**
   * On a cluster: the frames of a run gathered per node, by the address of the node the client
   * last learnt serves their slot ("" while it knows none: the call then goes wherever the first
   * frame's key routes). One entry per primary the cluster has had; they stay, idle.
   */
  private readonly nodeApplies = new Map<string, TurnBatch<ApplyCall, NodeAnswer>>();
  /** On a cluster, per visitor (its seen-ids key): when its applies under way are done. A claim or a read waits for them. */
  private readonly visitorApplies = new Map<string, Promise<void>>();
  /** On a cluster, per visitor: when its frames sent again on their own are done. Its later frames wait for them. */
  private readonly visitorDetours = new Map<string, Promise<void>>();
  /** On a cluster: the applies under way, which close() lets finish. */
  private readonly applying = new Set<Promise<ApplyResult>>();
  /** On a cluster: the due-index entries of frames applied one by one, gathered per run. */
  private readonly offers: TurnBatch<[string, number], undefined>;
  private readonly interestIndexes: RedisInterestIndex[] = [];
  private connection: ConnectedClient | undefined;

  constructor(options: RedisWindowStoreOptions) {
    this.client = options.client;
    this.prefix = checkedPrefix(options.prefix ?? 'tw');
    this.retention = options.retention ?? DEFAULT_RETENTION;
    this.scripts = loadStoreScripts({ keepKeys: this.client.cluster });
    this.dueTimers = new DueTimers(this.client, this.scripts, this.prefix, this.names);
    // Frames come from the pipeline, which applies a turn's frames in one synchronous run from
    // setImmediate: gathering that run is enough. A delivery's follow-up apply (armed journey
    // steps, a deferred firing, a timer retry) usually leaves in a call of its own.
    this.batchLimits = options.batch ?? DEFAULT_TURN_BATCH_LIMITS;
    this.applies = new TurnBatch((calls) => this.applyBatch(calls), this.batchLimits, 'run');
    this.offers = new TurnBatch((arms) => this.offerTogether(arms), DEFAULT_TURN_BATCH_LIMITS, 'run');
  }

  /** The last error the client reported, when the store created it (see connect()); for health checks. */
  get lastClientError(): Error | undefined {
    return this.connection?.lastError;
  }

  apply(request: ApplyRequest): Promise<ApplyResult> {
    let call: ApplyCall;
    try {
      call = encodeApply(request, this.keysOf(request.visitor), this.retention.dedupeHorizon);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!this.client.cluster) return this.applies.submit(call, applySize(call));
    const visitor = call.keys[0]!;
    const send = (): Promise<ApplyResult> => this.nodeBatchOf(call).submit(call, applySize(call)).then((answer) => answer.done);
    const detours = this.visitorDetours.get(visitor);
    const applied = detours === undefined ? send() : detours.then(send);
    followedBy(this.visitorApplies, visitor, applied);
    this.applying.add(applied);
    // The caller handles the apply's failure; this chain only stops tracking it.
    void applied.finally(() => this.applying.delete(applied)).catch(() => undefined);
    return applied;
  }

  private async applyBatch(calls: ApplyCall[]): Promise<Array<ItemOutcome<ApplyResult>>> {
    const arms = new Map<string, number>();
    for (const call of calls) if (call.earliestArm !== undefined) keepEarliest(arms, dueMember(call.request.visitor), call.earliestArm);
    const offer = (): Promise<unknown> => (arms.size === 0 ? Promise.resolve() : this.dueTimers.offer(arms));
    const { keys, args } = encodeApplyBatch(calls, this.retention);
    // Both are written in the same tick, hence in one write on one connection: one round trip.
    // After a reload the first offer ran before the timers existed: offering again keeps the index ordering.
    const [script, offered] = await Promise.allSettled([this.client.script(this.scripts.apply, keys, args, offer), offer()]);
    if (script.status === 'rejected') throw storeFailure(script.reason, 'to apply a batch of frames');
    const outcomes = decodeApplyBatch(calls, script.value);
    if (offered.status === 'fulfilled') return outcomes;
    // A failed offer leaves armed timers unindexed: those frames must be resent, whose replay is
    // deduplicated but offers again.
    const error = storeFailure(offered.reason, 'to index the timers a batch of frames armed');
    return outcomes.map((outcome, i) => (calls[i]!.earliestArm === undefined ? outcome : { ok: false, error }));
  }

  /**
   * On a cluster a visitor's commands keep their order. A frame a node turned away (its slot
   * moved under the client's layout) goes again on its own once its node's reply is in: the
   * visitor's claims and reads sent meanwhile would reach the slot's new node first, so they wait
   * for the visitor's applies under way; and its later frames wait for its frames sent again.
   * Frames go on without waiting otherwise: a visitor's frames to one node keep their order on
   * its connection, and one turned away turns the next away too, unless the slot's move ended
   * between the two (a window of microseconds, where the later frame can still come first).
   */
  private afterApplies<T>(visitor: string, run: () => Promise<T>): Promise<T> {
    const applies = this.visitorApplies.get(visitor);
    return applies === undefined ? run() : applies.then(run);
  }

  /** A frame a node turned away, sent again on its own after the visitor's frames turned away before it. */
  private detour(call: ApplyCall): Promise<ApplyResult> {
    const visitor = call.keys[0]!;
    const before = this.visitorDetours.get(visitor);
    const alone = before === undefined ? this.applyAlone(call) : before.then(() => this.applyAlone(call));
    followedBy(this.visitorDetours, visitor, alone);
    return alone;
  }

  /** On a cluster: the batch of the node serving the frame's visitor, answered when that node answers, whatever the others do. */
  private nodeBatchOf(call: ApplyCall): TurnBatch<ApplyCall, NodeAnswer> {
    const node = this.client.nodeOf(call.keys[0]!) ?? '';
    let batch = this.nodeApplies.get(node);
    if (batch === undefined) {
      batch = new TurnBatch((calls) => this.applyOnNode(calls), this.batchLimits, 'run');
      this.nodeApplies.set(node, batch);
    }
    return batch;
  }

  /**
   * One node's frames in one call. A frame the node turned away (its slot moved since the client
   * learnt the layout) goes again on its own. Each frame's due-index entry follows the reply: the
   * index lives on another node. Each frame is answered when its own part is done, not when its
   * neighbours' are.
   */
  private async applyOnNode(calls: ApplyCall[]): Promise<Array<ItemOutcome<NodeAnswer>>> {
    const reply = await this.client.scriptOnNodeOf(calls[0]!.keys[0]!, this.scripts.apply, encodeNodeBatch(calls, this.retention)).catch((error: unknown) => {
      throw storeFailure(error, 'to apply a batch of frames');
    });
    const outcomes = decodeApplyBatch(calls, reply);
    return outcomes.map((outcome, i) => {
      const call = calls[i]!;
      if (turnedAway(reply, i)) return answer(this.detour(call));
      return outcome.ok ? answer(this.indexed(call, outcome.value)) : outcome;
    });
  }

  /** One frame as a call of its own, routed by its keys (which follows a slot that moved). */
  private async applyAlone(call: ApplyCall): Promise<ApplyResult> {
    const { keys, args } = encodeApplyBatch([call], this.retention);
    const reply = await this.client.script(this.scripts.apply, keys, args).catch((error: unknown) => {
      throw storeFailure(error, 'to apply a frame');
    });
    const [outcome] = decodeApplyBatch([call], reply);
    if (!outcome!.ok) throw outcome!.error;
    return this.indexed(call, outcome!.value);
  }

  /** On a cluster: the frame's result once the due index knows the timers it armed. */
  private async indexed(call: ApplyCall, result: ApplyResult): Promise<ApplyResult> {
    if (call.earliestArm !== undefined) await this.offers.submit([dueMember(call.request.visitor), call.earliestArm], 2);
    return result;
  }

  /** The due-index entries of the cluster frames answered together (one socket read), in one ZADD. */
  private async offerTogether(arms: Array<[string, number]>): Promise<Array<ItemOutcome<undefined>>> {
    const earliest = new Map<string, number>();
    for (const [member, due] of arms) keepEarliest(earliest, member, due);
    await this.dueTimers.offer(earliest).catch((error: unknown) => {
      throw storeFailure(error, 'to index the timers of frames');
    });
    return arms.map(() => ({ ok: true, value: undefined }));
  }

  async claim(request: ClaimRequest): Promise<ClaimOutcome[]> {
    if (request.claims.length === 0) return [];
    this.sendPending();
    const keys = this.keysOf(request.visitor);
    const call = encodeClaims(request, keys);
    const claim = async (): Promise<ClaimOutcome[]> => {
      const reply = await this.client.script(this.scripts.claim, call.keys, call.args).catch((error: unknown) => {
        throw storeFailure(error, 'to claim deliveries');
      });
      return decodeClaims(reply);
    };
    return this.client.cluster ? this.afterApplies(keys.seen, claim) : claim();
  }

  async takeDueTimers(now: number, limit: number): Promise<DueTimer[]> {
    if (limit <= 0) return [];
    this.sendPending();
    return this.dueTimers.take(now, limit);
  }

  async settleTimers(timers: readonly DueTimer[]): Promise<void> {
    if (timers.length === 0) return;
    this.sendPending();
    await this.dueTimers.settle(timers);
  }

  /** Redis holds no visitor in the engine's memory: nothing to move. */
  disconnected(): void {}

  connected(): void {}

  async snapshot(visitor: VisitorRef): Promise<VisitorSnapshot> {
    const keys = this.keysOf(visitor);
    this.sendPending();
    const read = async (): Promise<VisitorSnapshot> => {
      const hash = await this.client.hGetAll(keys.hash).catch((error: unknown) => {
        throw storeFailure(error, 'to read a visitor');
      });
      return snapshotOfHash(hash);
    };
    return this.client.cluster ? this.afterApplies(keys.seen, read) : read();
  }

  /**
   * The catalogue's interest index on this store's connection: a frame's interest updates,
   * recorded in the same tick as its apply, leave in the same write on one node (no extra round
   * trip), and in the same write to their node on a cluster.
   */
  interestIndex(bounds?: InterestBounds): RedisInterestIndex {
    const index = new RedisInterestIndex({ client: this.client, prefix: this.prefix, script: this.scripts.interest, ...(bounds === undefined ? {} : { bounds }) });
    this.interestIndexes.push(index);
    return index;
  }

  async ping(): Promise<void> {
    this.sendPending();
    await this.client.ping();
  }

  async close(): Promise<void> {
    // Queued frames leave before the connection closes, which waits for their replies; on a
    // cluster a frame's due-index entry leaves after its reply, so its whole apply is awaited.
    this.sendPending();
    await Promise.allSettled([...this.applying]);
    const connection = this.connection;
    this.connection = undefined;
    if (connection !== undefined) await connection.client.close();
  }

  /** Sends the frames (and interest updates) queued this turn, so Redis sees commands in call order. */
  private sendPending(): void {
    this.applies.flush();
    for (const batch of this.nodeApplies.values()) batch.flush();
    for (const index of this.interestIndexes) index.sendPending();
  }

  private keysOf(visitor: VisitorRef): VisitorKeys {
    return new VisitorKeys(this.prefix, visitor, this.names);
  }
}

/** Records `due` for the visitor's due-index `member` unless an earlier one is there. */
function keepEarliest(arms: Map<string, number>, member: string, due: number): void {
  const known = arms.get(member);
  if (known === undefined || due < known) arms.set(member, due);
}

/** What a node's call gives one frame: its result once its own follow-up (a retry alone, its due-index entry) is done. */
interface NodeAnswer {
  done: Promise<ApplyResult>;
}

function answer(done: Promise<ApplyResult>): ItemOutcome<NodeAnswer> {
  return { ok: true, value: { done } };
}

const done = (): void => undefined;

/** Adds `work` to what `key` waits for in `waits`; the entry leaves once all of it is done. */
function followedBy(waits: Map<string, Promise<void>>, key: string, work: Promise<unknown>): void {
  const before = waits.get(key);
  const finished = work.then(done, done);
  const all = before === undefined ? finished : before.then(() => finished);
  waits.set(key, all);
  void all.then(() => {
    if (waits.get(key) === all) waits.delete(key);
  });
}
