/**
 * A small seeded generator (mulberry32): the same seed gives the same shoppers on every machine,
 * so a replay can be rerun against another build and compared.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  /** Exponentially distributed with the given mean: waits between a person's clicks, or visits. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** How many more times something happens when each repeat has `probability`: 0, 1, 2... */
  repeats(probability: number, max = 1000): number {
    let n = 0;
    while (n < max && this.chance(probability)) n++;
    return n;
  }
}
