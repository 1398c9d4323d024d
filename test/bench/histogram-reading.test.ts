import { describe, expect, it } from 'vitest';
import { EMPTY_HISTOGRAM, quantileBetween, type HistogramReading } from '../../bench/histogram/index.js';

const bounds = [1, 2, 5, 10];
const reading = (cumulative: number[], count: number): HistogramReading => ({ bounds, cumulative, count });

describe('quantileBetween', () => {
  it('interpolates inside the bucket that holds the rank', () => {
    // 10 observations: 4 at or under 1, 4 more in (1, 2], 2 in (2, 5].
    expect(quantileBetween(EMPTY_HISTOGRAM, reading([4, 8, 10, 10], 10), 0.5)).toBeCloseTo(1.25);
    expect(quantileBetween(EMPTY_HISTOGRAM, reading([4, 8, 10, 10], 10), 0.9)).toBeCloseTo(3.5);
  });

  it('counts only what was observed between the two readings', () => {
    const before = reading([100, 100, 100, 100], 100);
    const after = reading([100, 100, 110, 110], 110);
    expect(quantileBetween(before, after, 0.5)).toBeCloseTo(3.5);
  });

  it('gives a bucket bound for a rank that falls exactly on it', () => {
    expect(quantileBetween(EMPTY_HISTOGRAM, reading([4, 8, 10, 10], 10), 0.4)).toBe(1);
  });

  it('interpolates across an empty bucket from the bound below the one holding the rank', () => {
    expect(quantileBetween(EMPTY_HISTOGRAM, reading([2, 2, 4, 4], 4), 0.75)).toBeCloseTo(3.5);
  });

  it('reads the second reading alone when a count went down (the process restarted)', () => {
    const before = reading([50, 60, 70, 70], 70);
    const after = reading([0, 0, 2, 2], 2);
    expect(quantileBetween(before, after, 0.5)).toBeCloseTo(3.5);
  });

  it('gives the last finite bound for a quantile past it', () => {
    expect(quantileBetween(EMPTY_HISTOGRAM, reading([0, 0, 0, 1], 3), 0.99)).toBe(10);
  });

  it('is NaN when nothing was observed between the readings', () => {
    const same = reading([1, 2, 3, 3], 3);
    expect(quantileBetween(same, same, 0.99)).toBeNaN();
  });
});
