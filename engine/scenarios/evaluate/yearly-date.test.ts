import { describe, expect, test } from 'vitest';
import { yearlyFloor } from './yearly-date.js';

const DAY = 24 * 3600_000;
const armed = Date.UTC(2026, 6, 4, 8);

describe('yearlyFloor: after what an identify arms the next yearly occurrence', () => {
  test('the identify\'s time, when nothing was armed or the armed occurrence is still to come', () => {
    expect(yearlyFloor(armed - DAY, undefined)).toBe(armed - DAY);
    expect(yearlyFloor(armed - DAY, armed)).toBe(armed - DAY);
    expect(yearlyFloor(armed - DAY, Number.NaN)).toBe(armed - DAY);
  });

  test('past the year of an occurrence that came due, so no zone a day behind fires it again', () => {
    const floor = yearlyFloor(armed + 4 * 3600_000, armed);
    expect(floor).toBeGreaterThan(armed + 2 * DAY);
    expect(floor).toBeLessThan(Date.UTC(2027, 6, 2));
  });

  test('past the year of the latest occurrence the armed one led to, years later', () => {
    const floor = yearlyFloor(Date.UTC(2029, 6, 4, 12), armed);
    expect(floor).toBeGreaterThan(Date.UTC(2029, 6, 6));
    expect(floor).toBeLessThan(Date.UTC(2030, 6, 2));
  });

  test('the identify\'s time when the last occurrence came due more than half a year before it', () => {
    const at = Date.UTC(2027, 2, 1);
    expect(yearlyFloor(at, armed)).toBe(at);
  });
});
