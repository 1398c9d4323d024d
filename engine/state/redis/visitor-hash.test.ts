/*
 * The profile and the cart share one Redis hash (visitor-hash.ts); these specify that callers
 * still see two: no field name of one reaches the other, and clearing one leaves the other.
 */
import type { RedisClientType } from 'redis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { redisForTests } from '../../../test/support/redis-server.js';
import { closeTestWindowStore, openTestWindowStore, type TestWindowStore } from '../../../test/support/redis-window-store.js';
import type { StateOp } from '../window-store.js';
import { RedisWindowStore } from './index.js';

const server = await redisForTests();
if ('url' in server) afterAll(() => server.stop());
const url = 'url' in server ? server.url : '';

const alice = { site: 'shop', visitor: 'alice' };
const retention = { profileTtl: 3_600_000, dedupeHorizon: 60_000 };
const t0 = 1_800_000_000_000;

/** What identify with traits `{ "l:sku-1": "x" }` plans, and a profile field named like a cart line. */
const cartLookalikes: StateOp[] = [
  { kind: 'hash.set', hash: 'profile', field: 'trait.l:sku-1', value: 'x' },
  { kind: 'hash.set', hash: 'profile', field: 'l:x', value: 'y' },
  { kind: 'hash.increment', hash: 'profile', field: 'q:x', by: 2 },
];
const cartLine: StateOp[] = [
  { kind: 'hash.set', hash: 'cart', field: 'l:sku-1', value: '{"id":"sku-1"}' },
  { kind: 'hash.increment', hash: 'cart', field: 'q:sku-1', by: 1 },
];
const lookalikeProfile = { 'trait.l:sku-1': 'x', 'l:x': 'y', 'q:x': '2' };

describe.skipIf('skip' in server)(`RedisWindowStore keeps profile and cart apart in one hash${'skip' in server ? ` (skipped: ${server.skip})` : ''}`, () => {
  let client: RedisClientType;
  let store: RedisWindowStore;
  let prefix: string;
  let events = 0;

  let opened: TestWindowStore;

  beforeEach(async () => {
    opened = await openTestWindowStore(url, { retention });
    ({ client, store, prefix } = opened);
  });

  afterEach(() => closeTestWindowStore(url, opened));

  function apply(...ops: StateOp[]) {
    const n = ++events;
    return store.apply({ visitor: alice, now: t0 + n, events: [{ eventId: `e${n}`, ops }] });
  }

  it('keeps profile fields named like cart lines out of the cart', async () => {
    await apply(...cartLookalikes, ...cartLine);
    expect(await store.snapshot(alice)).toEqual({
      profile: lookalikeProfile,
      cart: { 'l:sku-1': '{"id":"sku-1"}', 'q:sku-1': '1' },
    });
  });

  it('keeps profile fields named like cart lines through a cart clear', async () => {
    await apply(...cartLookalikes, ...cartLine);
    const result = await apply({ kind: 'hash.clear', hash: 'cart' });
    expect(result.profile).toEqual(lookalikeProfile);
    expect(await store.snapshot(alice)).toEqual({ profile: lookalikeProfile, cart: {} });
  });

  it('keeps the cart through a profile clear', async () => {
    await apply(...cartLookalikes, ...cartLine);
    await apply({ kind: 'hash.clear', hash: 'profile' });
    expect(await store.snapshot(alice)).toEqual({ profile: {}, cart: { 'l:sku-1': '{"id":"sku-1"}', 'q:sku-1': '1' } });
  });

  it('answers apply with the profile alone', async () => {
    const result = await apply(...cartLine, { kind: 'hash.set', hash: 'profile', field: 'email', value: 'a@example.com' });
    expect(result.profile).toEqual({ email: 'a@example.com' });
  });

  it('addresses a field of the same name in the profile and in the cart separately', async () => {
    const result = await apply(
      { kind: 'hash.setIfAbsent', hash: 'profile', field: 'q:sku-1', value: '5' },
      { kind: 'hash.setIfAbsent', hash: 'cart', field: 'q:sku-1', value: '1' },
      { kind: 'hash.increment', hash: 'cart', field: 'q:sku-1', by: 2 },
      { kind: 'hash.delete', hash: 'profile', field: 'l:sku-1' },
    );
    expect(result.events[0]!.results).toEqual([1, 1, 3, 0]);
    expect(await store.snapshot(alice)).toEqual({ profile: { 'q:sku-1': '5' }, cart: { 'q:sku-1': '3' } });
  });

  it('keeps profile fields that start with a control character apart from the cart', async () => {
    const fields = { '\x01l:x': 'a', '\x02l:x': 'b', '\x02\x01': 'c' };
    const result = await apply(...Object.entries(fields).map(([field, value]): StateOp => ({ kind: 'hash.set', hash: 'profile', field, value })));
    expect(result.profile).toEqual(fields);
    await apply({ kind: 'hash.clear', hash: 'cart' });
    expect(await store.snapshot(alice)).toEqual({ profile: fields, cart: {} });
  });

  it('gives the hash its TTL back when a frame empties it and writes it again', async () => {
    await apply(
      { kind: 'hash.set', hash: 'cart', field: 'l:sku-1', value: 'line' },
      { kind: 'hash.clear', hash: 'cart' },
      { kind: 'hash.set', hash: 'profile', field: 'email', value: 'a@example.com' },
    );
    expect(await client.pTTL(`${prefix}:{shop:alice}:p`)).toBeGreaterThan(retention.profileTtl - 60_000);
  });
});
