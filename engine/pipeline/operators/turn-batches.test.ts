import { Subject, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, test } from 'vitest';
import { turnBatches } from './turn-batches.js';

describe('turnBatches', () => {
  test('values of one event-loop turn leave as one array, the next turn as another', async () => {
    const values = new Subject<number>();
    const batches = lastValueFrom(values.pipe(turnBatches(100), toArray()));
    values.next(1);
    values.next(2);
    await new Promise((resolve) => setImmediate(resolve));
    values.next(3);
    await new Promise((resolve) => setImmediate(resolve));
    values.complete();
    expect(await batches).toEqual([[1, 2], [3]]);
  });

  test('a full batch leaves at once, without waiting for the end of the turn', () => {
    const values = new Subject<number>();
    const seen: number[][] = [];
    values.pipe(turnBatches(2)).subscribe((batch) => seen.push(batch));
    values.next(1);
    values.next(2);
    values.next(3);
    expect(seen).toEqual([[1, 2]]);
    values.complete();
    expect(seen).toEqual([[1, 2], [3]]);
  });
});
