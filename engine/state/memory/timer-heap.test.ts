import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { TimerHeap } from './timer-heap.js';

describe('TimerHeap', () => {
  test('an empty heap has no entry and an infinite next due time', () => {
    const heap = new TimerHeap<string>();
    expect(heap.size).toBe(0);
    expect(heap.peekDue()).toBe(Number.POSITIVE_INFINITY);
    expect(heap.pop()).toBeUndefined();
  });

  test('pops entries earliest due first, each with its owner, timer and version', () => {
    const heap = new TimerHeap<string>();
    heap.push(1_700_000_000_300, 'v1', 'absence:a', 1);
    heap.push(1_700_000_000_100, 'v2', 'absence:b', 2);
    heap.push(1_700_000_000_200, 'v3', 'absence:c', 3);
    expect(heap.peekDue()).toBe(1_700_000_000_100);
    expect(heap.pop()).toEqual({ due: 1_700_000_000_100, owner: 'v2', timer: 'absence:b', version: 2 });
    expect(heap.pop()).toEqual({ due: 1_700_000_000_200, owner: 'v3', timer: 'absence:c', version: 3 });
    expect(heap.pop()).toEqual({ due: 1_700_000_000_300, owner: 'v1', timer: 'absence:a', version: 1 });
    expect(heap.size).toBe(0);
  });

  test('clear drops every entry', () => {
    const heap = new TimerHeap<string>();
    heap.push(1, 'v', 't', 1);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(heap.pop()).toBeUndefined();
  });

  test('pops in due order whatever the order of pushes and pops', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }), { maxLength: 200, size: 'max' }), (steps) => {
        const heap = new TimerHeap<number>();
        const model: number[] = [];
        steps.forEach((due, i) => {
          if (due === undefined) {
            model.sort((a, b) => a - b);
            expect(heap.pop()?.due).toBe(model.shift());
          } else {
            heap.push(due, i, `t${i}`, i);
            model.push(due);
          }
        });
        expect(heap.size).toBe(model.length);
      }),
      { numRuns: 200 },
    );
  });
});
