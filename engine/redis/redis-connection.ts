import { createHash } from 'node:crypto';
import type { RedisClientType, RedisClusterType } from 'redis';
import { keySlot } from './key-slot.js';

/** A Lua script and its SHA-1, which EVALSHA names it by. */
export interface LuaScript {
  source: string;
  sha: string;
}

/** The script of `source`, for RedisConnection.script. */
export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** The typed commands the adapters use, which a node client and a cluster client both have. */
type Commands = Pick<RedisClientType, 'get' | 'set' | 'hGet' | 'hGetAll' | 'hSet' | 'hDel' | 'hLen' | 'sMembers' | 'xLen' | 'zCard' | 'close' | 'isOpen'>;

/**
 * What Tripwire's Redis adapters talk through: one node (a primary), or a Redis Cluster, whose
 * client routes each command to the node serving its first key's hash slot. On a cluster a
 * command or script may name keys of one slot only: each adapter's key layout says which keys
 * share a hash tag, and `cluster` tells it to split what it would otherwise send together.
 */
export class RedisConnection {
  /** A connection to one Redis node. */
  static ofNode(client: RedisClientType): RedisConnection {
    return new RedisConnection(
      client,
      false,
      (_key, args) => client.sendCommand(args),
      async () => {
        await client.ping();
      },
      () => undefined,
    );
  }

  /**
   * A connection to a Redis Cluster: commands go to the node serving their first key's slot, and
   * follow it when it moves (node-redis follows MOVED and ASK; TRYAGAIN is retried here).
   */
  static ofCluster(client: RedisClusterType): RedisConnection {
    const route = (key: string | undefined, args: string[]): Promise<unknown> => client.sendCommand(key, false, args);
    const routeAcrossMoves = (key: string | undefined, args: string[]): Promise<unknown> =>
      route(key, args).catch((error: unknown) => afterResharding(error, () => route(key, args)));
    return new RedisConnection(
      client,
      true,
      routeAcrossMoves,
      async () => {
        await Promise.all(client.masters.map(async (master) => (await client.nodeClient(master)).ping()));
      },
      (key) => client.slots[keySlot(key)]?.master.address,
    );
  }

  private constructor(
    private readonly commands: Commands,
    /** True on a cluster: a call may carry one hash slot's keys only. */
    readonly cluster: boolean,
    private readonly route: (key: string | undefined, args: string[]) => Promise<unknown>,
    private readonly pingAll: () => Promise<void>,
    private readonly nodeServing: (key: string) => string | undefined,
  ) {}

  /**
   * On a cluster, the address of the primary serving `key`'s slot as the client last learnt it
   * (it may have moved since); undefined on one node, or while the client knows no node for it.
   */
  nodeOf(key: string): string | undefined {
    return this.nodeServing(key);
  }

  /** A raw command. `key` is its first key, which routes it on a cluster (undefined: any node). */
  send(key: string | undefined, args: string[]): Promise<unknown> {
    return this.route(key, args);
  }

  /**
   * Runs a Lua script by its SHA, and by its source when the node has not seen it (a restart,
   * SCRIPT FLUSH, a cluster node new to it). Every key is of `keys[0]`'s slot. EVALSHA is written
   * before the first await, so a command sent in the same tick shares its socket write.
   * `afterReload` runs once the source has run: a command sent beside the EVALSHA that must follow
   * the script's writes is sent again there.
   */
  script(script: LuaScript, keys: string[], args: string[], afterReload?: () => Promise<unknown>): Promise<unknown> {
    return this.evaluate(keys[0], script, keys, args, afterReload);
  }

  /**
   * Runs a script that declares no keys on the node serving `routeKey` (on one node: that node):
   * the script names the keys it touches itself, and must find out whether its node serves them.
   */
  scriptOnNodeOf(routeKey: string, script: LuaScript, args: string[]): Promise<unknown> {
    return this.evaluate(routeKey, script, [], args);
  }

  private async evaluate(routeKey: string | undefined, script: LuaScript, keys: string[], args: string[], afterReload?: () => Promise<unknown>): Promise<unknown> {
    try {
      return await this.route(routeKey, ['EVALSHA', script.sha, String(keys.length), ...keys, ...args]);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      const reply = await this.route(routeKey, ['EVAL', script.source, String(keys.length), ...keys, ...args]);
      await afterReload?.();
      return reply;
    }
  }

  get(key: string): Promise<string | null> {
    return this.commands.get(key);
  }

  /** Sets the key, expiring after `ttlMs`. */
  async setWithTtl(key: string, value: string, ttlMs: number): Promise<void> {
    await this.commands.set(key, value, { expiration: { type: 'PX', value: ttlMs } });
  }

  hGet(key: string, field: string): Promise<string | null> {
    return this.commands.hGet(key, field);
  }

  hGetAll(key: string): Promise<Record<string, string>> {
    return this.commands.hGetAll(key);
  }

  async hSet(key: string, field: string, value: string): Promise<void> {
    await this.commands.hSet(key, field, value);
  }

  /** The number of fields removed. */
  async hDel(key: string, field: string): Promise<number> {
    return Number(await this.commands.hDel(key, field));
  }

  async hLen(key: string): Promise<number> {
    return Number(await this.commands.hLen(key));
  }

  sMembers(key: string): Promise<string[]> {
    return this.commands.sMembers(key);
  }

  async xLen(key: string): Promise<number> {
    return Number(await this.commands.xLen(key));
  }

  async zCard(key: string): Promise<number> {
    return Number(await this.commands.zCard(key));
  }

  /** Resolves when Redis answers (every primary of a cluster); rejects with what is wrong. */
  ping(): Promise<void> {
    return this.pingAll();
  }

  get isOpen(): boolean {
    return this.commands.isOpen;
  }

  /** Waits for the replies of the commands sent, then closes; a command waiting to be sent again (resharding) rejects. */
  async close(): Promise<void> {
    if (this.commands.isOpen) await this.commands.close();
  }
}

/**
 * While a slot moves between nodes, a command naming several of its keys, some moved and some
 * not yet (or not existing: a script names keys it may create), is refused with TRYAGAIN before
 * it runs, so sending it again does not apply it twice. A move takes milliseconds to seconds:
 * the command is tried again with a growing pause for up to about 2.6 s before the refusal is
 * the caller's (a frame then fails, and the tracker sends it again). Like the tracker's resend,
 * a command held here can be overtaken by a later one for the same keys.
 */
const RESHARDING_PAUSES_MS = [5, 10, 20, 40, 80, 160, 320, 500, 500, 500, 500];

async function afterResharding(error: unknown, again: () => Promise<unknown>): Promise<unknown> {
  let last = error;
  for (const pause of RESHARDING_PAUSES_MS) {
    if (!(last instanceof Error && last.message.startsWith('TRYAGAIN'))) throw last;
    await new Promise((resolve) => setTimeout(resolve, pause));
    try {
      return await again();
    } catch (next) {
      last = next;
    }
  }
  throw last;
}
