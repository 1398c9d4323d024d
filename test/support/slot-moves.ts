/*
 * Moving a slot of a Redis Cluster by hand, step by step (CLUSTER SETSLOT, MIGRATE), for tests
 * of what the window store does while a visitor's slot moves. The cluster is the test's own:
 * moving a slot of a shared one would move other test files' visitors.
 */
import type { RedisClusterType } from 'redis';
import type { VisitorRef } from '../../engine/events/index.js';
import type { ApplyRequest, StateOp } from '../../engine/state/window-store.js';

type Node = Awaited<ReturnType<RedisClusterType['nodeClient']>>;

/** Where a slot lives and where it may go: its master, another, and their node ids. */
export interface SlotMove {
  slot: number;
  from: Node;
  to: Node;
  fromId: string;
  toId: string;
  toPort: number;
}

export const t0 = 1_800_000_000_000;

export const view = (visitor: VisitorRef, eventId: string, at: number): ApplyRequest => ({
  visitor,
  now: at,
  events: [{ eventId, ops: [{ kind: 'window.add', key: 'views', member: eventId, at, span: 3_600_000 }] }],
});

export const frame = (visitor: VisitorRef, eventId: string, at: number, ops: StateOp[]): ApplyRequest => ({ visitor, now: at, events: [{ eventId, ops }] });

/** Seen ids, profile and cart, timers and windows: every key a frame names exists, so the migrating slot's node runs it. */
export async function withEveryKey(store: { apply(request: ApplyRequest): Promise<unknown> }, visitor: VisitorRef, hashOps: StateOp[]): Promise<void> {
  await store.apply(
    frame(visitor, 'setup', t0, [
      { kind: 'window.add', key: 'views', member: 'setup', at: t0, span: 3_600_000 },
      { kind: 'timer.arm', timer: 'ladder', due: t0 + 60_000, payload: 'first' },
      ...hashOps,
    ]),
  );
}

/** The steps of a slot's move, through an admin client of the cluster, for keys under `prefix`. */
export class SlotMoves {
  constructor(
    private readonly admin: RedisClusterType,
    private readonly prefix: string,
  ) {}

  /** The slot of the visitor's keys, its owner as the cluster says now (the admin client's map is stale after a move), and another master. */
  planMove(visitor: VisitorRef): Promise<SlotMove> {
    return this.planMoveOf(`${this.prefix}:{${visitor.site}:${visitor.visitor}}:e`);
  }

  async planMoveOf(key: string): Promise<SlotMove> {
    const slot = Number(await this.admin.sendCommand(undefined, true, ['CLUSTER', 'KEYSLOT', key]));
    const owner = await this.ownerOf(slot);
    const source = this.admin.masters.find((master) => master.id === owner);
    const target = this.admin.masters.find((master) => master.id !== owner);
    if (source === undefined || target === undefined) throw new Error(`no owner of slot ${slot} among the masters, or nowhere to move it`);
    return { slot, from: await this.admin.nodeClient(source), to: await this.admin.nodeClient(target), fromId: source.id, toId: target.id, toPort: target.port };
  }

  /** A visitor in another slot of the same node as `move`'s slot, for a frame that travels in the same call. */
  async neighbourOf(move: SlotMove, name: string): Promise<VisitorRef> {
    for (let i = 0; i < 10_000; i++) {
      const visitor = { site: 'shop', visitor: `${name}-${i}` };
      const slot = Number(await this.admin.sendCommand(undefined, true, ['CLUSTER', 'KEYSLOT', `${this.prefix}:{shop:${visitor.visitor}}:e`]));
      if (slot !== move.slot && (await this.ownerOf(slot)) === move.fromId) return visitor;
    }
    throw new Error(`no visitor found beside slot ${move.slot}`);
  }

  /** The move begins: the slot is migrating, its keys still where they were. */
  async startMove(move: SlotMove): Promise<void> {
    await move.to.sendCommand(['CLUSTER', 'SETSLOT', String(move.slot), 'IMPORTING', move.fromId]);
    await move.from.sendCommand(['CLUSTER', 'SETSLOT', String(move.slot), 'MIGRATING', move.toId]);
  }

  /** The slot's keys (or only `keys`) go to the target; the slot is still migrating. */
  async migrateKeys(move: SlotMove, keys?: string[]): Promise<void> {
    const moving = keys ?? ((await move.from.sendCommand(['CLUSTER', 'GETKEYSINSLOT', String(move.slot), '1000'])) as string[]);
    if (moving.length === 0) throw new Error(`slot ${move.slot} has no keys to migrate`);
    await move.from.sendCommand(['MIGRATE', '127.0.0.1', String(move.toPort), '', '0', '5000', 'KEYS', ...moving]);
  }

  async moveKeys(move: SlotMove): Promise<void> {
    await this.startMove(move);
    await this.migrateKeys(move);
  }

  /** How many commands the cluster's nodes refused with TRYAGAIN so far. */
  async refusals(): Promise<number> {
    let count = 0;
    for (const master of this.admin.masters) {
      const info = String(await (await this.admin.nodeClient(master)).sendCommand(['INFO', 'errorstats']));
      count += Number(/errorstat_TRYAGAIN:count=(\d+)/.exec(info)?.[1] ?? 0);
    }
    return count;
  }

  /** Resolves once a node has refused a command with TRYAGAIN since `before`. */
  async refusedSince(before: number): Promise<void> {
    while ((await this.refusals()) === before) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** The second half: every master learns the slot's new owner. */
  async handOverSlot(move: SlotMove): Promise<void> {
    for (const master of this.admin.masters) {
      const node = await this.admin.nodeClient(master);
      await node.sendCommand(['CLUSTER', 'SETSLOT', String(move.slot), 'NODE', move.toId]);
    }
  }

  private async ownerOf(slot: number): Promise<string | undefined> {
    const ranges = (await this.admin.sendCommand(undefined, true, ['CLUSTER', 'SLOTS'])) as Array<[number, number, [string, number, string]]>;
    return ranges.find(([start, end]) => start <= slot && slot <= end)?.[2][2];
  }
}
