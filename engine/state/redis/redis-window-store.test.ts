import { createServer, type Server } from 'node:net';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { redisForTests } from '../../../test/support/redis-server.js';
import { closeTestWindowStore, openTestWindowStore, type TestWindowStore } from '../../../test/support/redis-window-store.js';
import { TripwireError } from '../../errors.js';
import { RedisConnection } from '../../redis/index.js';
import { TIMER_LEASE_MS, type StateOp } from '../window-store.js';
import { VISITOR_LEASE_MS } from './due-timers.js';
import { RedisWindowStore } from './index.js';
import { loadStoreScripts } from './scripts.js';
import { seenId } from './seen-id.js';
import { DueIndexKeys } from './visitor-keys.js';

const server = await redisForTests();
if ('url' in server) afterAll(() => server.stop());
const url = 'url' in server ? server.url : '';

const alice = { site: 'shop', visitor: 'alice' };
const retention = { profileTtl: 3_600_000, dedupeHorizon: 60_000 };

describe.skipIf('skip' in server)(`RedisWindowStore on Redis${'skip' in server ? ` (skipped: ${server.skip})` : ''}`, () => {
  let client: RedisClientType;
  let store: RedisWindowStore;
  let prefix: string;
  const t0 = 1_800_000_000_000;

  let opened: TestWindowStore;

  beforeEach(async () => {
    opened = await openTestWindowStore(url, { retention });
    ({ client, store, prefix } = opened);
  });

  afterEach(() => closeTestWindowStore(url, opened));

  function apply(now: number, ...ops: StateOp[]) {
    return store.apply({ visitor: alice, now, events: [{ eventId: `e${now}`, ops }] });
  }

  async function keysOf(pattern: string): Promise<string[]> {
    return (await client.keys(pattern)).sort();
  }

  it('keeps every key of a visitor under one hash tag, hence in one cluster slot', async () => {
    await apply(
      t0,
      { kind: 'window.add', key: 'views', member: 'a', at: t0, span: 1000 },
      { kind: 'timer.arm', timer: 'abandon', due: t0 + 1000, payload: 'p' },
      { kind: 'hash.set', hash: 'profile', field: 'f', value: 'v' },
      { kind: 'hash.set', hash: 'cart', field: 'f', value: 'v' },
    );
    await store.claim({ visitor: alice, now: t0, claims: [{ checks: [{ kind: 'gate', key: 'popin', ttl: 1000 }] }] });
    const tag = `${prefix}:{shop:alice}:`;
    expect(await keysOf(`${prefix}:{shop:alice}:*`)).toEqual(['e', 'g', 'p', 't', 'w'].map((name) => tag + name));
  });

  it('clears a profile of 9,000 fields in one frame (more than Lua unpacks into one command)', async () => {
    const traits = Array.from({ length: 9_000 }, (_, i): StateOp => ({ kind: 'hash.set', hash: 'profile', field: `trait.t${i}`, value: 'x' }));
    await apply(t0, ...traits);
    await apply(t0 + 1, { kind: 'hash.clear', hash: 'profile' });
    expect(await store.snapshot(alice)).toEqual({ profile: {}, cart: {} });
  });

  it('cancels 9,000 timers of one prefix in one frame', async () => {
    const timers = Array.from({ length: 9_000 }, (_, i): StateOp => ({ kind: 'timer.arm', timer: `absence:cart:g${i}`, due: t0 + 1_000, payload: 'p' }));
    await apply(t0, ...timers);
    await apply(t0 + 1, { kind: 'timer.cancelPrefix', prefix: 'absence:cart' });
    expect(await store.takeDueTimers(t0 + 1_000, 10)).toEqual([]);
  });

  it('refuses an empty timer name, which it keeps for its own placeholder, before writing anything', async () => {
    await expect(apply(t0, { kind: 'timer.arm', timer: '', due: t0 + 1000, payload: 'p' })).rejects.toThrow(/A timer name is empty/);
    expect(await keysOf(`${prefix}:*`)).toEqual([]);
  });

  it('refuses an empty gate key, which it keeps for its own placeholder', async () => {
    await expect(store.claim({ visitor: alice, now: t0, claims: [{ checks: [{ kind: 'gate', key: '', ttl: 1000 }] }] })).rejects.toThrow(/A gate key is empty/);
  });

  it('keeps every window and cap of a visitor in one sorted set, one entry per member', async () => {
    await apply(
      t0,
      { kind: 'window.add', key: 'w:product-viewed-3-times:sku-1', member: 'a', at: t0, span: 1000 },
      { kind: 'window.add', key: 'w:product-viewed-3-times:sku-2', member: 'a', at: t0, span: 1000 },
      { kind: 'window.add', key: 'w:product-viewed-3-times:sku-2', member: 'a', at: t0 + 1, span: 1000 },
    );
    await store.claim({ visitor: alice, now: t0, claims: [{ checks: [{ kind: 'cap', key: 'cap:popin', limit: 1, span: 1000, member: 'b' }] }] });
    expect(await keysOf(`${prefix}:{shop:alice}:*`)).toEqual([`${prefix}:{shop:alice}:e`, `${prefix}:{shop:alice}:w`]);
    expect(await client.zCard(`${prefix}:{shop:alice}:w`)).toBe(3);
  });

  it('moves a member first added as its own event id when a later event adds it again', async () => {
    const add = (member: string, at: number): StateOp => ({ kind: 'window.add', key: 'views', member, at, span: 10_000 });
    await store.apply({ visitor: alice, now: t0, events: [{ eventId: 'e-1', ops: [add('e-1', t0)] }] });
    const result = await store.apply({ visitor: alice, now: t0 + 1, events: [{ eventId: 'e-2', ops: [add('e-1', t0 + 1)] }] });
    expect(result.events[0]!.results).toEqual([1]);
    expect(await client.zCard(`${prefix}:{shop:alice}:w`)).toBe(1);
  });

  it('keeps one entry when one event adds its own id to a window twice', async () => {
    const add = (at: number): StateOp => ({ kind: 'window.add', key: 'views', member: 'e-1', at, span: 10_000 });
    const result = await store.apply({ visitor: alice, now: t0, events: [{ eventId: 'e-1', ops: [add(t0), add(t0 + 1)] }] });
    expect(result.events[0]!.results).toEqual([1, 1]);
  });

  it('gives the windows set the TTL of its longest window, no longer than its span beyond the newest member', async () => {
    await apply(t0, { kind: 'window.add', key: 'views', member: 'a', at: t0, span: 30_000 });
    await apply(t0 + 1, { kind: 'window.add', key: 'clicks', member: 'a', at: t0 + 1, span: 10_000 });
    const ttl = await client.pTTL(`${prefix}:{shop:alice}:w`);
    expect(ttl).toBeGreaterThan(10_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('refuses a window time the store cannot order, naming it', async () => {
    await expect(apply(t0, { kind: 'window.add', key: 'views', member: 'a', at: -1, span: 1000 })).rejects.toMatchObject({
      code: 'TW_BAD_EVENT',
      message: expect.stringContaining('got -1'),
    });
  });

  it('refreshes the profile TTL to profileTtl on write', async () => {
    await apply(t0, { kind: 'hash.set', hash: 'profile', field: 'f', value: 'v' });
    const ttl = await client.pTTL(`${prefix}:{shop:alice}:p`);
    expect(ttl).toBeGreaterThan(retention.profileTtl - 60_000);
    expect(ttl).toBeLessThanOrEqual(retention.profileTtl);
  });

  it('forgets event ids older than the dedupe horizon within a few frames', async () => {
    await apply(t0);
    const later = Array.from({ length: 32 }, (_, n) => t0 + retention.dedupeHorizon + n);
    for (const now of later) await apply(now);
    const seen = await client.zRange(`${prefix}:{shop:alice}:e`, 0, -1);
    expect(seen).not.toContain(seenId(`e${t0}`));
    expect(seen.every((id) => later.some((now) => seenId(`e${now}`) === id))).toBe(true);
  });

  it('counts an id recorded at or before now - horizon as new, trimmed yet or not', async () => {
    // Eight successive times: most frames skip the trim, so the id is still in the set.
    for (let n = 0; n < 8; n++) {
      const now = t0 + n;
      const visitor = { site: 'shop', visitor: `old-${n}` };
      await client.zAdd(`${prefix}:{shop:old-${n}}:e`, { score: now - retention.dedupeHorizon, value: 'e-1' });
      const result = await store.apply({ visitor, now, events: [{ eventId: 'e-1', ops: [] }] });
      expect(result.events[0]!.duplicate).toBe(false);
      expect(await client.zScore(`${prefix}:{shop:old-${n}}:e`, 'e-1')).toBe(now);
    }
  });

  it('still counts an id recorded a millisecond inside the horizon as a duplicate', async () => {
    await client.zAdd(`${prefix}:{shop:alice}:e`, { score: t0 - retention.dedupeHorizon + 1, value: 'e-1' });
    const result = await store.apply({ visitor: alice, now: t0, events: [{ eventId: 'e-1', ops: [] }] });
    expect(result.events[0]!.duplicate).toBe(true);
  });

  it('cancels consecutive timers of an event, leaving the others armed', async () => {
    const arm = (timer: string): StateOp => ({ kind: 'timer.arm', timer, due: t0 + 10, payload: 'p' });
    await apply(t0, arm('a'), arm('b'), arm('c'));
    const result = await apply(
      t0 + 1,
      { kind: 'timer.cancel', timer: 'a' },
      { kind: 'timer.cancel', timer: 'missing' },
      { kind: 'timer.cancel', timer: 'c' },
      { kind: 'window.count', key: 'views', at: t0 + 1, span: 1000 },
    );
    expect(result.events[0]!.results).toEqual([0, 0, 0, 0]);
    expect(await client.hKeys(`${prefix}:{shop:alice}:t`)).toEqual(['b']);
  });

  it('leaves the profile out of the result when asked not to read it', async () => {
    const set: StateOp = { kind: 'hash.set', hash: 'profile', field: 'f', value: 'v' };
    const without = await store.apply({ visitor: alice, now: t0, events: [{ eventId: 'e-1', ops: [set] }], withProfile: false });
    expect(without.profile).toEqual({});
    expect((await store.snapshot(alice)).profile).toEqual({ f: 'v' });
  });

  it('still applies and indexes timers after Redis forgets its scripts', async () => {
    await client.scriptFlush();
    const result = await apply(t0, { kind: 'timer.arm', timer: 'abandon', due: t0 + 10, payload: 'p' });
    expect(result.events[0]!.duplicate).toBe(false);
    expect((await store.takeDueTimers(t0 + 10, 10)).map((timer) => timer.timer)).toEqual(['abandon']);
  });

  it('takes over a visitor whose taker died holding it once the lease ends', async () => {
    await apply(t0, { kind: 'timer.arm', timer: 'abandon', due: t0 + 10, payload: 'p' });
    const index = new DueIndexKeys(prefix);
    const { leaseDue } = loadStoreScripts({ keepKeys: false });
    await client.sendCommand(['EVAL', leaseDue.source, '2', index.due, index.leases, String(t0 + 10), '10', String(t0 + 10 + VISITOR_LEASE_MS)]);
    expect(await store.takeDueTimers(t0 + 20, 10)).toEqual([]);
    expect((await store.takeDueTimers(t0 + 10 + VISITOR_LEASE_MS, 10)).map((timer) => timer.timer)).toEqual(['abandon']);
  });

  it('keeps a taken timer in the leased hash, and the visitor indexed at the lease end, until it is settled', async () => {
    await apply(t0, { kind: 'timer.arm', timer: 'abandon', due: t0 + 10, payload: 'p' });
    await store.takeDueTimers(t0 + 10, 10);
    expect(await client.hGetAll(`${prefix}:{shop:alice}:l`)).toEqual({ [`${t0 + 10} abandon`]: `${t0 + 10 + TIMER_LEASE_MS} p` });
    expect(await client.zScore(`${prefix}:{due}`, 'shop:alice')).toBe(t0 + 10 + TIMER_LEASE_MS);
  });

  it('removes a visitor from the due index once its last timer is settled and its lease end has passed', async () => {
    await apply(t0, { kind: 'timer.arm', timer: 'abandon', due: t0 + 10, payload: 'p' });
    await store.settleTimers(await store.takeDueTimers(t0 + 10, 10));
    expect(await store.takeDueTimers(t0 + 10 + TIMER_LEASE_MS, 10)).toEqual([]);
    expect(await keysOf(`${prefix}:*`)).toEqual([`${prefix}:{shop:alice}:e`]);
  });

  it('leaves a client it was given open on close', async () => {
    await store.close();
    expect(await client.ping()).toBe('PONG');
  });

  it('closes a client it created on close', async () => {
    const owned = await RedisWindowStore.connect(url, { prefix, retention });
    await owned.close();
    await expect(owned.snapshot(alice)).rejects.toThrow();
  });
});

describe('RedisWindowStore options', () => {
  it('refuses a prefix that would break the hash tag', () => {
    expect(() => new RedisWindowStore({ client: RedisConnection.ofNode(createClient()), prefix: 'a{b' })).toThrow(
      expect.objectContaining({ code: 'TW_CONFIG_INVALID' }),
    );
  });
});

describe('RedisWindowStore.connect', () => {
  let silent: Server;
  let silentPort: number;

  beforeEach(async () => {
    // Reads and ignores everything: a TCP peer that never speaks Redis.
    silent = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });

  afterEach(async () => {
    await new Promise((resolve) => silent.close(resolve));
  });

  it('fails with TW_STORE_UNAVAILABLE and a masked password when the connection is refused', async () => {
    silent.close();
    const failure = RedisWindowStore.connect(`redis://:s3cret@127.0.0.1:${silentPort}`, { connectTimeoutMs: 2000 });
    await expect(failure).rejects.toBeInstanceOf(TripwireError);
    await expect(failure).rejects.toMatchObject({ code: 'TW_STORE_UNAVAILABLE' });
    await expect(failure).rejects.toThrow(`redis://:***@127.0.0.1:${silentPort}`);
    await expect(failure).rejects.not.toThrow('s3cret');
  });

  it('gives up when the server never answers, instead of waiting forever', async () => {
    await expect(RedisWindowStore.connect(`redis://127.0.0.1:${silentPort}`, { connectTimeoutMs: 300 })).rejects.toThrow(
      /no answer within 300 ms/,
    );
  });
});
