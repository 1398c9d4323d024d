import keySlot from 'cluster-key-slot';

/**
 * Runs `run` once per hash slot's share of `items` (by each one's `keyOf`), concurrently: what one
 * command or script may carry together on a Redis Cluster. Returns one outcome per item, in
 * order; a share whose run throws gets `failed(error)` for each of its items, and the others
 * are not affected.
 */
export async function perSlot<T, O>(items: readonly T[], keyOf: (item: T) => string, run: (share: T[]) => Promise<O[]>, failed: (error: unknown) => O): Promise<O[]> {
  const shares = new Map<number, number[]>();
  items.forEach((item, index) => {
    const slot = keySlot(keyOf(item));
    const share = shares.get(slot);
    if (share === undefined) shares.set(slot, [index]);
    else share.push(index);
  });
  const outcomes = new Array<O>(items.length);
  await Promise.all(
    [...shares.values()].map(async (indexes) => {
      let results: O[];
      try {
        results = await run(indexes.map((index) => items[index]!));
      } catch (error) {
        results = indexes.map(() => failed(error));
      }
      indexes.forEach((index, i) => (outcomes[index] = results[i]!));
    }),
  );
  return outcomes;
}
