import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SMALL_WINDOW_MEMBERS, SlidingWindow } from './sliding-window.js';

const T0 = 1_700_000_000_000;

function windowOf(entries: ReadonlyArray<[string, number]>): SlidingWindow {
  const window = new SlidingWindow(T0 + 60_000);
  for (const [member, at] of entries) window.add(member, at);
  return window;
}

/** Member names m0…m(n-1), one ms apart from T0. */
function members(n: number): Array<[string, number]> {
  return Array.from({ length: n }, (_, i) => [`m${i}`, T0 + i]);
}

/** The sizes that exercise each form: one member, a few, many. */
const SIZES = [1, 2, SMALL_WINDOW_MEMBERS, SMALL_WINDOW_MEMBERS + 1, 3 * SMALL_WINDOW_MEMBERS];

describe('SlidingWindow', () => {
  test.each(SIZES)('counts members within (floor, ceiling] with %i members', (n) => {
    const window = windowOf(members(n));
    expect(window.size).toBe(n);
    expect(window.count(T0 - 1, T0 + n)).toBe(n);
    expect(window.count(T0, T0 + n)).toBe(n - 1);
    expect(window.count(T0 - 1, T0)).toBe(1);
  });

  test.each(SIZES)('a re-added member moves to its new time, counted once, with %i members', (n) => {
    const window = windowOf(members(n));
    window.add('m0', T0 + 10 * n);
    expect(window.size).toBe(n);
    expect(window.timeOf('m0')).toBe(T0 + 10 * n);
    expect(window.count(T0, T0 + 10 * n)).toBe(n);
  });

  test.each(SIZES)('trimming drops members at or before the floor with %i members', (n) => {
    const window = windowOf(members(n));
    window.trim(T0 + n - 2);
    expect(window.size).toBe(Math.min(n, 1));
    expect(window.timeOf(`m${n - 1}`)).toBe(T0 + n - 1);
    expect(window.timeOf('m0')).toBe(n === 1 ? T0 : undefined);
  });

  test('a late member is trimmed and counted by its time, not its arrival', () => {
    const window = windowOf([...members(SMALL_WINDOW_MEMBERS + 4), ['late', T0 - 100]]);
    expect(window.count(T0 - 101, T0 - 50)).toBe(1);
    window.trim(T0 - 50);
    expect(window.timeOf('late')).toBeUndefined();
    expect(window.size).toBe(SMALL_WINDOW_MEMBERS + 4);
  });

  test('a window emptied by trimming takes members again', () => {
    const window = windowOf(members(3 * SMALL_WINDOW_MEMBERS));
    window.trim(T0 + 1000);
    expect(window.size).toBe(0);
    window.add('again', T0 + 2000);
    expect(window.count(T0 + 1000, T0 + 2000)).toBe(1);
  });

  test('answers as a sorted set would, whatever the adds, trims and their times', () => {
    const member = fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `e${i}`));
    const time = fc.integer({ min: 0, max: 200 }).map((t) => T0 + t);
    const step = fc.oneof(
      { arbitrary: fc.tuple(fc.constant('add' as const), member, time), weight: 4 },
      { arbitrary: fc.tuple(fc.constant('trim' as const), fc.constant(''), time), weight: 1 },
    );
    // size 'max': fast-check's default size keeps arrays near 10 steps, which never leaves the small window.
    fc.assert(
      fc.property(fc.array(step, { minLength: 30, maxLength: 300, size: 'max' }), time, time, (steps, a, b) => {
        const window = new SlidingWindow(0);
        const model = new Map<string, number>();
        for (const [kind, name, at] of steps) {
          if (kind === 'add') {
            window.add(name, at);
            model.set(name, at);
          } else {
            window.trim(at);
            for (const [key, value] of model) if (value <= at) model.delete(key);
          }
        }
        const [floor, ceiling] = a <= b ? [a, b] : [b, a];
        expect(window.size).toBe(model.size);
        expect(window.count(floor, ceiling)).toBe([...model.values()].filter((at) => at > floor && at <= ceiling).length);
        for (const name of ['e0', 'e1', 'e39']) expect(window.timeOf(name)).toBe(model.get(name));
      }),
      { numRuns: 300 },
    );
  });

  test('rebuilt from its members in arrival order, answers and takes adds as the window it came from', () => {
    const member = fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `e${i}`));
    const time = fc.integer({ min: 0, max: 200 }).map((t) => T0 + t);
    fc.assert(
      fc.property(fc.array(fc.tuple(member, time), { maxLength: 60, size: 'max' }), fc.tuple(member, time), time, (adds, [next, nextAt], floor) => {
        const original = new SlidingWindow(T0);
        for (const [name, at] of adds) original.add(name, at);
        const names: string[] = [];
        const times: number[] = [];
        original.forEach((name, at) => {
          names.push(name);
          times.push(at);
        });
        const rebuilt = SlidingWindow.of(T0, names, times);
        for (const window of [original, rebuilt]) {
          window.add(next, nextAt);
          window.trim(floor);
        }
        const after = (window: SlidingWindow): Array<[string, number]> => {
          const entries: Array<[string, number]> = [];
          window.forEach((name, at) => entries.push([name, at]));
          return entries;
        };
        expect(after(rebuilt)).toEqual(after(original));
        expect(rebuilt.count(floor, T0 + 200)).toBe(original.count(floor, T0 + 200));
      }),
      { numRuns: 300 },
    );
  });
});
