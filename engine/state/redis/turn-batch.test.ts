import { describe, expect, it } from 'vitest';
import { TurnBatch, type ItemOutcome, type TurnBatchGathering } from './turn-batch.js';

/** A batch whose calls answer each item with itself, and the calls it made. */
function echoBatch(gathering: TurnBatchGathering, maxItems = 100): { batch: TurnBatch<string, string>; calls: string[][] } {
  const calls: string[][] = [];
  const batch = new TurnBatch<string, string>(
    async (items) => {
      calls.push(items);
      return items.map((value): ItemOutcome<string> => ({ ok: true, value }));
    },
    { maxItems, maxArgs: 1_000 },
    gathering,
  );
  return { batch, calls };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TurnBatch', () => {
  // uWS runs each socket message's callback and then its microtasks: a turn spans many runs.
  it('gathering a turn sends the items of several synchronous runs of one turn in one call', async () => {
    const { batch, calls } = echoBatch('turn');
    const first = batch.submit('a', 1);
    await Promise.resolve();
    const second = batch.submit('b', 1);
    expect(await Promise.all([first, second])).toEqual(['a', 'b']);
    expect(calls).toEqual([['a', 'b']]);
  });

  it('gathering a run sends the items of one synchronous run before the next turn', async () => {
    const { batch, calls } = echoBatch('run');
    const results = Promise.all(['a', 'b', 'c'].map((item) => batch.submit(item, 1)));
    await Promise.resolve();
    expect(calls).toEqual([['a', 'b', 'c']]);
    expect(await results).toEqual(['a', 'b', 'c']);
  });

  it('gathering a run sends the items of two runs in two calls', async () => {
    const { batch, calls } = echoBatch('run');
    await batch.submit('a', 1);
    await batch.submit('b', 1);
    expect(calls).toEqual([['a'], ['b']]);
  });

  it('splits a flush past the item limit into several calls, in order', async () => {
    const { batch, calls } = echoBatch('run', 2);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((item) => batch.submit(item, 1)));
    expect(calls).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('sends what is queued at once when flushed early, and what follows in a call of its own', async () => {
    const { batch, calls } = echoBatch('turn');
    const first = batch.submit('a', 1);
    batch.flush();
    const second = batch.submit('b', 1);
    expect(calls).toEqual([['a']]);
    await nextTurn();
    expect(await Promise.all([first, second])).toEqual(['a', 'b']);
    expect(calls).toEqual([['a'], ['b']]);
  });
});
