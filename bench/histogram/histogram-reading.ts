/** A Prometheus histogram as read at one moment: cumulative counts at each finite bucket bound, and the total. */
export interface HistogramReading {
  /** Upper bounds of the finite buckets, ascending, in the histogram's unit. */
  bounds: number[];
  /** Observations at or under each bound. */
  cumulative: number[];
  count: number;
}

export const EMPTY_HISTOGRAM: HistogramReading = { bounds: [], cumulative: [], count: 0 };

/**
 * The q-quantile of what was observed between two readings of one histogram, interpolated
 * linearly inside its bucket as Prometheus's histogram_quantile does. A quantile past the last
 * finite bound is that bound: a floor, not a value. NaN when nothing
 * was observed. A count that went down means the process restarted in between: as Prometheus's
 * rate() does, the second reading then stands alone.
 */
export function quantileBetween(before: HistogramReading, after: HistogramReading, q: number): number {
  const since = restarted(before, after) ? EMPTY_HISTOGRAM : before;
  const count = after.count - since.count;
  if (count <= 0) return Number.NaN;
  const rank = q * count;
  let below = 0;
  for (let i = 0; i < after.bounds.length; i++) {
    const atOrUnder = after.cumulative[i]! - (since.cumulative[i] ?? 0);
    if (atOrUnder >= rank) {
      const lower = i === 0 ? 0 : after.bounds[i - 1]!;
      const inBucket = atOrUnder - below;
      return inBucket === 0 ? lower : lower + ((after.bounds[i]! - lower) * (rank - below)) / inBucket;
    }
    below = atOrUnder;
  }
  return after.bounds.at(-1) ?? Number.NaN;
}

function restarted(before: HistogramReading, after: HistogramReading): boolean {
  if (after.count < before.count) return true;
  return before.cumulative.some((count, i) => count > (after.cumulative[i] ?? 0));
}
