import { TripwireError } from '../../errors.js';
import type { CatalogueStore } from '../catalogue-store.js';
import { mergeBatch } from '../product-merge.js';
import type { CatalogueProduct, ProductUpdate, UpsertResult } from '../product.js';
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

/** Products per compare-and-set: each chunk is atomic, and a conflict re-reads only its chunk. */
const CHUNK = 1000;
/** Conflicts mean another engine wrote the same products meanwhile; a few retries settle it. */
const ATTEMPTS = 5;

/**
 * The catalogue in Redis, shared by every engine of a deployment. An upsert reads the products
 * (one pipelined round trip), merges the rows and detects changes in process, then writes with
 * compare-and-set, retrying on a conflict: change detection stays one function for both stores.
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
    const total: UpsertResult = { created: 0, updated: 0, unchanged: 0, changes: [], products: [] };
    for (let start = 0; start < updates.length; start += CHUNK) {
      const chunk = await this.upsertChunk(site, updates.slice(start, start + CHUNK), now, start);
      total.created += chunk.created;
      total.updated += chunk.updated;
      total.unchanged += chunk.unchanged;
      total.changes.push(...chunk.changes);
      total.products.push(...chunk.products);
    }
    return total;
  }

  async product(site: string, id: string): Promise<CatalogueProduct | undefined> {
    const key = new CatalogueKeys(this.prefix, site).product(id);
    return decodeProduct(key, await this.client.hGetAll(key))?.product;
  }

  async list(site: string): Promise<CatalogueProduct[]> {
    const keys = new CatalogueKeys(this.prefix, site);
    const ids = await this.client.sMembers(keys.ids);
    const products: CatalogueProduct[] = [];
    for (let start = 0; start < ids.length; start += CHUNK) {
      const read = await this.read(keys, ids.slice(start, start + CHUNK));
      for (const stored of read.values()) products.push(stored.product);
    }
    return products;
  }

  async close(): Promise<void> {
    if (this.owned) await this.client.close();
  }

  private async upsertChunk(site: string, updates: readonly ProductUpdate[], now: number, offset: number): Promise<UpsertResult> {
    const keys = new CatalogueKeys(this.prefix, site);
    const ids = [...new Set(updates.map((update) => update.id))];
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const stored = await this.read(keys, ids);
      const { result, writes } = mergeBatch(site, (id) => stored.get(id)?.product, updates, now, offset);
      if (writes.size === 0) return result;
      const casKeys = [keys.ids];
      const args = [String(writes.size)];
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

  /** One pipelined round trip: the commands are sent in the same tick. */
  private async read(keys: CatalogueKeys, ids: readonly string[]): Promise<Map<string, VersionedProduct>> {
    const replies = await Promise.all(ids.map((id) => this.client.hGetAll(keys.product(id))));
    const stored = new Map<string, VersionedProduct>();
    ids.forEach((id, index) => {
      const product = decodeProduct(keys.product(id), { ...replies[index] });
      if (product !== undefined) stored.set(id, product);
    });
    return stored;
  }
}
