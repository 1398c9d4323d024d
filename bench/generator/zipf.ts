import type { SeededRandom } from './seeded-random.js';

/**
 * Ranks 0..n-1 drawn with probability proportional to 1/(rank+1)^exponent: a few products take
 * most of the views, as in every shop's analytics (exponent ~1).
 */
export class ZipfSampler {
  private readonly cumulative: Float64Array;

  constructor(
    readonly size: number,
    readonly exponent = 1,
  ) {
    this.cumulative = new Float64Array(size);
    let total = 0;
    for (let rank = 0; rank < size; rank++) {
      total += 1 / (rank + 1) ** exponent;
      this.cumulative[rank] = total;
    }
    for (let rank = 0; rank < size; rank++) this.cumulative[rank]! /= total;
  }

  sample(random: SeededRandom): number {
    const x = random.next();
    let low = 0;
    let high = this.size - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle]! < x) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
