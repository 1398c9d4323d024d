import { describe, expect, test } from 'vitest';
import { OFF_LOOP_MS, SlowDiskRule, ThreadRunTime } from './slow-disk.js';

describe('SlowDiskRule', () => {
  test('appends blocked for less than the budget within a second stay on the event loop', () => {
    const rule = new SlowDiskRule(50);
    expect([rule.record(30, 0), rule.record(19, 500)]).toEqual([undefined, undefined]);
    expect(rule.offLoop(501)).toBe(false);
  });

  test('appends each blocked under the budget, adding up past it within a second, move off the loop', () => {
    const rule = new SlowDiskRule(50);
    for (let at = 0; at < 500; at += 100) rule.record(12, at);
    expect(rule.offLoop(500)).toBe(true);
    expect(rule.offLoop(400 + OFF_LOOP_MS)).toBe(false);
  });

  test('blocked time a second or more apart does not add up', () => {
    const rule = new SlowDiskRule(50);
    for (let at = 0; at < 10_000; at += 1_000) expect(rule.record(40, at)).toBeUndefined();
  });

  test('blocked time either side of a second boundary adds up: what counts is the last second, wherever it starts', () => {
    // 90 ms blocked within 100 ms of wall time, for a budget of 50 ms.
    const rule = new SlowDiskRule(50);
    rule.record(1, 0);
    expect(rule.record(45, 950)).toBeUndefined();
    expect(rule.record(45, 1_050)).toEqual({ offMs: OFF_LOOP_MS, blockedMs: 90 });
    expect(rule.offLoop(1_051)).toBe(true);
  });

  test('blocked time older than a second no longer counts', () => {
    const rule = new SlowDiskRule(50);
    rule.record(30, 0);
    rule.record(15, 600);
    expect(rule.record(30, 1_100)).toBeUndefined();
    expect(rule.record(6, 1_599)).toEqual({ offMs: OFF_LOOP_MS, blockedMs: 51 });
  });

  test('appends many times a millisecond all count, a little longer rather than less', () => {
    const rule = new SlowDiskRule(50);
    // Ten thousand appends in half a second, each blocked 0.004 ms: 40 ms in all.
    for (let i = 0; i < 10_000; i++) expect(rule.record(0.004, i * 0.05)).toBeUndefined();
    const move = rule.record(11, 600);
    expect(move?.blockedMs).toBeCloseTo(51, 6);
  });

  test('blocked time of appends many times a millisecond drops out a second after them', () => {
    const rule = new SlowDiskRule(50);
    for (let i = 0; i < 10_000; i++) rule.record(0.004, i * 0.05);
    expect(rule.record(49, 1_501)).toBeUndefined();
  });

  test('short blocks under the budget never move appends off the loop, whatever their rate', () => {
    const rule = new SlowDiskRule(50);
    // 5000 appends a second for two seconds, each blocked 0.006 ms: 30 ms a second.
    for (let i = 0; i < 10_000; i++) expect(rule.record(0.006, i * 0.2)).toBeUndefined();
  });

  test('a move right after appends came back lasts twice as long, up to 4 minutes', () => {
    const rule = new SlowDiskRule(50);
    let now = 0;
    const moves: number[] = [];
    for (let i = 0; i < 6; i++) {
      const move = rule.record(60, now)!;
      moves.push(move.offMs);
      now += move.offMs + 1_000;
    }
    expect(moves).toEqual([30_000, 60_000, 120_000, 240_000, 240_000, 240_000]);
  });

  test('a move long after appends came back lasts 30 s again', () => {
    const rule = new SlowDiskRule(50);
    rule.record(60, 0);
    rule.record(60, 31_000);
    expect(rule.record(60, 31_000 + 60_000 + OFF_LOOP_MS + 1)!.offMs).toBe(30_000);
  });
});

describe('ThreadRunTime', () => {
  test.runIf(process.platform === 'linux')("reads the thread's time on a CPU and waiting for one, which grows as it runs", () => {
    const runTime = ThreadRunTime.open()!;
    const before = runTime.ms()!;
    const until = performance.now() + 20;
    while (performance.now() < until);
    expect(runTime.ms()! - before).toBeGreaterThan(10);
    runTime.close();
  });

  test.runIf(process.platform === 'linux')('does not grow while the thread sleeps, as it does blocked on a disk', () => {
    const runTime = ThreadRunTime.open()!;
    const before = runTime.ms()!;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    // A scheduler tick's worth of CPU time from before the sleep may be brought up to date meanwhile.
    expect(runTime.ms()! - before).toBeLessThan(20);
    runTime.close();
  });
});
