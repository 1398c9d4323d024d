import { describe, expect, test } from 'vitest';
import { ManualClock } from '../../events/index.js';
import { TIMER_LEASE_MS, type StateOp } from '../window-store.js';
import { MemoryWindowStore } from './memory-window-store.js';

const T0 = 1_700_000_000_000;
const RETENTION = { profileTtl: 30_000, dedupeHorizon: 20_000 };
/** Later than every expiry above and than the sweep interval (60 s). */
const LATER = T0 + 10 * 60_000;
const alice = { site: 'demo', visitor: 'alice' };
const bob = { site: 'demo', visitor: 'bob' };

function storeAt(now: number): { store: MemoryWindowStore; clock: ManualClock } {
  const clock = new ManualClock(now);
  return { store: new MemoryWindowStore(RETENTION, clock), clock };
}

async function applyOps(store: MemoryWindowStore, visitor: typeof alice, now: number, eventId: string, ops: StateOp[]) {
  return store.apply({ visitor, now, events: [{ eventId, ops }] });
}

const SESSION: StateOp[] = [
  { kind: 'window.add', key: 'w:viewed:sku-1', member: 'e1', at: T0, span: 10_000 },
  { kind: 'hash.setIfAbsent', hash: 'profile', field: 'first_seen', value: String(T0) },
  { kind: 'hash.increment', hash: 'cart', field: 'q:sku-1', by: 1 },
];

describe('MemoryWindowStore sweep', () => {
  test('forgets a visitor once all of its state expired', async () => {
    const { store, clock } = storeAt(T0);
    await applyOps(store, alice, T0, 'e1', SESSION);
    await store.claim({ visitor: alice, now: T0, claims: [{ checks: [{ kind: 'gate', key: 'cooldown', ttl: 10_000 }] }] });
    expect(store.visitorCount).toBe(1);
    await applyOps(store, bob, LATER, 'b1', []);
    expect(store.visitorCount).toBe(1);
    clock.set(LATER);
    expect(await store.snapshot(alice)).toEqual({ profile: {}, cart: {} });
  });

  test('keeps a visitor whose timer still waits', async () => {
    const { store } = storeAt(T0);
    await applyOps(store, alice, T0, 'e1', [{ kind: 'timer.arm', timer: 'absence:cart', due: LATER + 60_000, payload: '{}' }]);
    await applyOps(store, bob, LATER, 'b1', []);
    expect(store.visitorCount).toBe(2);
    expect(await store.takeDueTimers(LATER + 60_000, 10)).toEqual([
      { visitor: alice, timer: 'absence:cart', due: LATER + 60_000, payload: '{}', leaseUntil: LATER + 60_000 + TIMER_LEASE_MS },
    ]);
  });

  test('forgets a large population a slice per call, so no single call stops for all of it', async () => {
    const { store } = storeAt(T0);
    for (let v = 0; v < 1000; v++) await applyOps(store, { site: 'demo', visitor: `v${v}` }, T0, 'e1', SESSION);
    await applyOps(store, bob, LATER, 'b1', []);
    const afterOneCall = store.visitorCount;
    for (let call = 2; call <= 100; call++) await applyOps(store, bob, LATER, `b${call}`, []);
    expect(afterOneCall).toBeGreaterThan(1);
    expect(afterOneCall).toBeLessThan(1001);
    expect(store.visitorCount).toBe(1);
  });

  test('keeps the state of a visitor written while a pass is under way', async () => {
    const { store, clock } = storeAt(T0);
    for (let v = 0; v < 1000; v++) await applyOps(store, { site: 'demo', visitor: `v${v}` }, T0, 'e1', SESSION);
    await applyOps(store, bob, LATER, 'b1', []);
    const late = { site: 'demo', visitor: 'v999' };
    const written = [{ ...SESSION[0]!, at: LATER } as StateOp, SESSION[1]!, SESSION[2]!];
    await applyOps(store, late, LATER, 'late-1', written);
    for (let call = 2; call <= 100; call++) await applyOps(store, bob, LATER, `b${call}`, []);
    clock.set(LATER);
    expect(await store.snapshot(late)).toEqual({ profile: { first_seen: String(T0) }, cart: { 'q:sku-1': '1' } });
    expect((await applyOps(store, late, LATER, 'late-1', written)).events[0]!.duplicate).toBe(true);
  });

  test('a forgotten visitor starts over: windows, hashes and event ids are new', async () => {
    const { store, clock } = storeAt(T0);
    await applyOps(store, alice, T0, 'e1', SESSION);
    await applyOps(store, bob, LATER, 'b1', []);
    const again = await applyOps(store, alice, LATER, 'e1', [{ ...SESSION[0]!, at: LATER } as StateOp, SESSION[1]!, SESSION[2]!]);
    expect(again.events[0]).toEqual({ duplicate: false, results: [1, 1, 1] });
    clock.set(LATER);
    expect(await store.snapshot(alice)).toEqual({ profile: { first_seen: String(T0) }, cart: { 'q:sku-1': '1' } });
  });
});

describe('MemoryWindowStore freezes idle visitors', () => {
  const HOUR = 3_600_000;
  const LONG = { profileTtl: 24 * HOUR, dedupeHorizon: HOUR };
  /** One apply per sweep interval by someone else: each starts a sweep pass, which visits everyone. */
  async function passes(store: MemoryWindowStore, count: number, from: number): Promise<number> {
    let at = from;
    for (let n = 1; n <= count; n++) {
      at += 61_000;
      await applyOps(store, bob, at, `pass-${from}-${n}`, []);
    }
    return at;
  }
  const viewed = (at: number): StateOp => ({ kind: 'window.add', key: 'w:viewed:sku-1', member: `view-${at}`, at, span: HOUR });

  function longLived(): { store: MemoryWindowStore; clock: ManualClock } {
    const clock = new ManualClock(T0);
    return { store: new MemoryWindowStore(LONG, clock), clock };
  }

  test('freezes a visitor not called for a whole sweep interval, and not one called since', async () => {
    const { store } = longLived();
    await applyOps(store, alice, T0, 'a1', [viewed(T0)]);
    await passes(store, 1, T0);
    expect(store.frozenVisitorCount).toBe(0);
    await passes(store, 1, T0 + 61_000);
    expect(store.frozenVisitorCount).toBe(1);
  });

  test('a frozen visitor comes back whole on its next call', async () => {
    const { store, clock } = longLived();
    await applyOps(store, alice, T0, 'a1', [viewed(T0), SESSION[1]!, SESSION[2]!]);
    await store.claim({ visitor: alice, now: T0, claims: [{ checks: [{ kind: 'gate', key: 'cooldown', ttl: HOUR }] }] });
    const at = await passes(store, 2, T0);
    expect(store.frozenVisitorCount).toBe(1);
    const again = await applyOps(store, alice, at, 'a2', [viewed(at)]);
    expect(again.events[0]!.results).toEqual([2]);
    expect(await applyOps(store, alice, at, 'a1', [viewed(at)])).toMatchObject({ events: [{ duplicate: true }] });
    expect(await store.claim({ visitor: alice, now: at, claims: [{ checks: [{ kind: 'gate', key: 'cooldown', ttl: HOUR }] }] })).toEqual([0]);
    clock.set(at);
    expect(await store.snapshot(alice)).toEqual({ profile: { first_seen: String(T0) }, cart: { 'q:sku-1': '1' } });
    expect(store.frozenVisitorCount).toBe(0);
  });

  test('a frozen visitor\'s timer still comes due', async () => {
    const { store } = longLived();
    const due = T0 + 10 * 60_000;
    await applyOps(store, alice, T0, 'a1', [{ kind: 'timer.arm', timer: 'absence:cart', due, payload: '{"step":1}' }]);
    await passes(store, 2, T0);
    expect(store.frozenVisitorCount).toBe(1);
    expect(await store.takeDueTimers(due, 10)).toEqual([{ visitor: alice, timer: 'absence:cart', due, payload: '{"step":1}', leaseUntil: due + TIMER_LEASE_MS }]);
  });

  test('forgets a frozen visitor once all of its state expired', async () => {
    const { store } = longLived();
    await applyOps(store, alice, T0, 'a1', [{ ...viewed(T0), span: 3 * 60_000 } as StateOp]);
    await passes(store, 2, T0);
    expect(store.frozenVisitorCount).toBe(1);
    // The window expires first (thawed, swept, frozen again), its event id an hour in.
    await passes(store, 2, T0 + 2 * 61_000);
    expect(store.visitorCount).toBe(2);
    expect(store.frozenVisitorCount).toBe(1);
    await passes(store, 2, T0 + HOUR);
    expect(store.visitorCount).toBe(1);
  });

  test('freezes a large idle population a few visitors per call, so no single call encodes all of it', async () => {
    const { store } = longLived();
    for (let v = 0; v < 1000; v++) await applyOps(store, { site: 'demo', visitor: `v${v}` }, T0, `e${v}`, [viewed(T0)]);
    const at = await passes(store, 2, T0);
    let most = 0;
    for (let call = 1; call <= 1000; call++) {
      const before = store.frozenVisitorCount;
      await applyOps(store, bob, at, `more-${call}`, []);
      most = Math.max(most, store.frozenVisitorCount - before);
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
    expect(store.frozenVisitorCount).toBe(1000);
  });

  test('freezes a visitor 10 s after its last connection closed, without waiting for a sweep pass', async () => {
    const { store } = longLived();
    await applyOps(store, alice, T0, 'a1', [viewed(T0)]);
    store.disconnected(alice, T0 + 1_000);
    await applyOps(store, bob, T0 + 9_000, 'b1', []);
    expect(store.frozenVisitorCount).toBe(0);
    await applyOps(store, bob, T0 + 11_000, 'b2', []);
    expect(store.frozenVisitorCount).toBe(1);
  });

  test('keeps a visitor live who opened a connection again (the next page)', async () => {
    const { store } = longLived();
    await applyOps(store, alice, T0, 'a1', [viewed(T0)]);
    store.disconnected(alice, T0);
    store.connected(alice);
    await applyOps(store, alice, T0 + 800, 'a2', [viewed(T0 + 800)]);
    await applyOps(store, bob, T0 + 12_000, 'b1', []);
    expect(store.frozenVisitorCount).toBe(0);
  });

  test('counts a departed visitor idle from its last call (frames and the beacon land after the close)', async () => {
    const { store } = longLived();
    await applyOps(store, alice, T0, 'a1', [viewed(T0)]);
    store.disconnected(alice, T0);
    await applyOps(store, alice, T0 + 5_000, 'a2', [viewed(T0 + 5_000)]);
    await applyOps(store, bob, T0 + 11_000, 'b1', []);
    expect(store.frozenVisitorCount).toBe(0);
    await applyOps(store, bob, T0 + 15_500, 'b2', []);
    expect(store.frozenVisitorCount).toBe(1);
  });

  test('forgets a departed visitor left holding nothing instead of freezing it', async () => {
    const store = new MemoryWindowStore({ profileTtl: HOUR, dedupeHorizon: 1_000 }, new ManualClock(T0));
    await applyOps(store, alice, T0, 'a1', [{ kind: 'timer.arm', timer: 'absence:cart', due: T0 + 1_000, payload: '{}' }]);
    await store.settleTimers(await store.takeDueTimers(T0 + 1_000, 10));
    store.disconnected(alice, T0 + 1_000);
    await applyOps(store, bob, T0 + 12_000, 'b1', []);
    expect(store.frozenVisitorCount).toBe(0);
  });

  test('freezes a burst of departed visitors a few per call', async () => {
    const { store } = longLived();
    for (let v = 0; v < 100; v++) await applyOps(store, { site: 'demo', visitor: `v${v}` }, T0, `e${v}`, [viewed(T0)]);
    for (let v = 0; v < 100; v++) store.disconnected({ site: 'demo', visitor: `v${v}` }, T0);
    await applyOps(store, bob, T0 + 10_000, 'b1', []);
    expect(store.frozenVisitorCount).toBe(4);
    for (let call = 2; call <= 25; call++) await applyOps(store, bob, T0 + 10_000, `b${call}`, []);
    expect(store.frozenVisitorCount).toBe(100);
  });

  test('freezing every visitor leaves one that holds nothing live, to be forgotten', async () => {
    const { store } = longLived();
    await store.claim({ visitor: alice, now: T0, claims: [{ checks: [] }] });
    expect(store.freezeAll()).toBe(0);
    await passes(store, 2, T0);
    // The passes' own visitor (bob) is the one left.
    expect(store.visitorCount).toBe(1);
  });
});
