import { describe, expect, test } from 'vitest';
import { EventsInDoubt } from './events-in-doubt.js';

const ann = { site: 'shop', visitor: 'ann' };
const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;

describe('EventsInDoubt', () => {
  test('settles an event once: a second answer for it is not in doubt', () => {
    const doubts = new EventsInDoubt();
    doubts.remember(ann, ['e1'], T0);
    expect([doubts.settle(ann, 'e1', T0 + 1), doubts.settle(ann, 'e1', T0 + 2)]).toEqual([true, false]);
  });

  test('tells visitors apart: the same event id of another visitor is not in doubt', () => {
    const doubts = new EventsInDoubt();
    doubts.remember(ann, ['e1'], T0);
    expect(doubts.settle({ site: 'shop', visitor: 'bob' }, 'e1', T0)).toBe(false);
  });

  test('forgets an event an hour after its call failed', () => {
    const doubts = new EventsInDoubt();
    doubts.remember(ann, ['e1', 'e2'], T0);
    doubts.remember(ann, ['e3'], T0 + HOUR);
    expect([doubts.size, doubts.settle(ann, 'e3', T0 + HOUR)]).toEqual([1, true]);
  });

  test('holds at most 100,000 events, forgetting the oldest first', () => {
    const doubts = new EventsInDoubt();
    doubts.remember(ann, Array.from({ length: 100_001 }, (_, i) => `e${i}`), T0);
    expect([doubts.size, doubts.settle(ann, 'e0', T0), doubts.settle(ann, 'e1', T0)]).toEqual([100_000, false, true]);
  });
});
