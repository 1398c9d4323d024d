import { TripwireError } from '../../errors.js';
import type { CatalogueStore } from '../catalogue-store.js';
import { mergeBatch } from '../product-merge.js';
import { changeId, fansOut, inOrderMade } from '../pending-fan-outs.js';
import type { CatalogueChange, CatalogueProduct, ProductUpdate, UpsertResult } from '../product.js';
import { CatalogueKeys } from './catalogue-keys.js';
import { COMPARE_AND_SET } from './compare-and-set.js';
import { connectRedis, type RedisConnection } from '../../redis/index.js';
import { decodeProduct, encodeProduct, type VersionedProduct } from './product-hash.js';

export interface RedisCatalogueStoreOptions {
  /** Created and connected by the caller, who also closes it. */
  client: RedisConnection;
  /** Namespace of every key; default "tw", as the window store's. */
  prefix?: string;
}

export interface RedisCatalogueConnectOptions {
  prefix?: string;
  /** The URL is one node of a Redis Cluster. */
  cluster?: boolean;
  connectTimeoutMs?: number;
  /** Connection errors between commands (the client reconnects). */
  onError: (error: Error) => void;
}

/** Products per read and per compare-and-set: each chunk is atomic, and a conflict re-reads only its chunk. */
const CHUNK = 1000;
/** Conflicts mean another engine wrote the same products meanwhile; a few retries settle it. */
const ATTEMPTS = 5;

/**
 * The catalogue in Redis, shared by every engine of a deployment. An upsert reads the products
 * (one pipelined round trip), merges the rows and detects changes in process, then writes with
 * compare-and-set, retrying on a conflict: change detection stays one function for both stores.
 * The whole request is merged before any chunk is written, so an invalid row anywhere writes
 * nothing, as docs/catalogue.md promises (a resend of the corrected request then sees every change).
 */
export class RedisCatalogueStore implements CatalogueStore {
  /** Creates and connects the client; the store then owns it and closes it on close(). */
  static async connect(url: string, options: RedisCatalogueConnectOptions): Promise<RedisCatalogueStore> {
    const client = await connectRedis(url, { purpose: 'The catalogue', cluster: options.cluster, timeoutMs: options.connectTimeoutMs, onError: options.onError });
    const store = new RedisCatalogueStore({ client, ...(options.prefix === undefined ? {} : { prefix: options.prefix }) });
    store.owned = true;
    return store;
  }

  private readonly client: RedisConnection;
  private readonly prefix: string;
  private owned = false;

  constructor(options: RedisCatalogueStoreOptions) {
    this.client = options.client;
    this.prefix = options.prefix ?? 'tw';
  }

  async upsert(site: string, updates: readonly ProductUpdate[], now: number): Promise<UpsertResult> {
    const keys = new CatalogueKeys(this.prefix, site);
    const before = await this.read(keys, [...new Set(updates.map((update) => update.id))]);
    // Throws TW_CATALOGUE_INVALID, naming the row, before anything is written.
    mergeBatch(site, (id) => before.get(id)?.product, updates, now);
    const total: UpsertResult = { created: 0, updated: 0, unchanged: 0, changes: [], products: [] };
    for (let start = 0; start < updates.length; start += CHUNK) {
      // The first chunk's rows were read just now; the others re-read, as the chunks before them may have written their ids.
      const chunk = await this.upsertChunk(keys, site, updates.slice(start, start + CHUNK), now, start, start === 0 ? before : undefined);
      total.created += chunk.created;
      total.updated += chunk.updated;
      total.unchanged += chunk.unchanged;
      total.changes.push(...chunk.changes);
      total.products.push(...chunk.products);
    }
    return total;
  }

  async pendingFanOuts(site: string): Promise<CatalogueChange[]> {
    const stored = await this.client.hGetAll(new CatalogueKeys(this.prefix, site).pendingFanOuts);
    return inOrderMade(Object.values(stored).map((json) => JSON.parse(json) as CatalogueChange));
  }

  async fanOutDelivered(site: string, ids: readonly string[]): Promise<void> {
    const key = new CatalogueKeys(this.prefix, site).pendingFanOuts;
    // Sent in the same tick, the deletions travel as one pipeline.
    await Promise.all(ids.map((id) => this.client.hDel(key, id)));
  }

  async product(site: string, id: string): Promise<CatalogueProduct | undefined> {
    const key = new CatalogueKeys(this.prefix, site).product(id);
    return decodeProduct(key, await this.client.hGetAll(key))?.product;
  }

  async list(site: string): Promise<CatalogueProduct[]> {
    const keys = new CatalogueKeys(this.prefix, site);
    const ids = await this.client.sMembers(keys.ids);
    const products: CatalogueProduct[] = [];
    for (const stored of (await this.read(keys, ids)).values()) products.push(stored.product);
    return products;
  }

  async close(): Promise<void> {
    if (this.owned) await this.client.close();
  }

  private async upsertChunk(
    keys: CatalogueKeys,
    site: string,
    updates: readonly ProductUpdate[],
    now: number,
    offset: number,
    alreadyRead: Map<string, VersionedProduct> | undefined,
  ): Promise<UpsertResult> {
    const ids = [...new Set(updates.map((update) => update.id))];
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const stored = attempt === 1 && alreadyRead !== undefined ? alreadyRead : await this.read(keys, ids);
      const { result, writes } = mergeBatch(site, (id) => stored.get(id)?.product, updates, now, offset);
      if (writes.size === 0) return result;
      const casKeys = [keys.ids, keys.pendingFanOuts];
      const fanOuts = result.changes.filter(fansOut);
      const args = [String(writes.size), String(fanOuts.length), ...fanOuts.flatMap((change) => [changeId(change), JSON.stringify(change)])];
      for (const [id, product] of writes) {
        const version = stored.get(id)?.version;
        const fields = encodeProduct(product, Number(version ?? 0) + 1);
        casKeys.push(keys.product(id));
        args.push(version ?? '', id, String(fields.length / 2), ...fields);
      }
      if (Number(await this.client.script(COMPARE_AND_SET, casKeys, args)) === 1) return result;
    }
    throw new TripwireError('TW_STORE_UNAVAILABLE', `The catalogue of site "${site}" kept changing under this upsert (${ATTEMPTS} tries); send the rows again.`);
  }

  /** One pipelined round trip per CHUNK ids: the commands of a chunk are sent in the same tick. */
  private async read(keys: CatalogueKeys, ids: readonly string[]): Promise<Map<string, VersionedProduct>> {
    const stored = new Map<string, VersionedProduct>();
    for (let start = 0; start < ids.length; start += CHUNK) {
      const chunk = ids.slice(start, start + CHUNK);
      const replies = await Promise.all(chunk.map((id) => this.client.hGetAll(keys.product(id))));
      chunk.forEach((id, index) => {
        const product = decodeProduct(keys.product(id), { ...replies[index] });
        if (product !== undefined) stored.set(id, product);
      });
    }
    return stored;
  }
}
